#include "harness/mutate/mutation_run.h"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include "harness/external/external_kernel.h"
#include "harness/external/nvrtc_compiler.h"
#include "harness/io/read_whole_file.h"
#include "harness/mutate/mutant_compile.h"
#include "harness/verify/isolated_verify.h"

namespace qgemv {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// Verifies one compiled kernel in worker processes: the first failure, or empty if it passed.
// This process only names the path (declare_external_kernel): the workers load the module, so
// that nothing is loaded into a context here, and nothing stays loaded after the mutant.
std::string verify_one(const MutationOptions& opt, const CompiledMutant& c, const std::string& name,
                       const std::shared_ptr<XidSource>& xids, DeviceHealth& health,
                       bool probe_first) {
  // The user's spec (inline or a file) under the mutant's name; the cubin is compiled already.
  LaunchSpec launch = parse_launch_spec(opt.launch);
  launch.name = name;
  launch.compile_options.clear();
  const worker::ExternalSpec spec{c.cubin_path + ":" + c.entry, format_launch_spec(launch)};
  VerifyOptions v;
  v.cases = opt.cases;
  v.seed = opt.seed;
  v.max_k = opt.max_k;
  v.accuracy = false;  // only the first failure is read
  v.paths = {declare_external_kernel(spec.kernel, spec.launch)};
  IsolationOptions iso;
  iso.jobs = opt.verify_jobs;
  iso.device = opt.device;
  iso.externals = {spec};
  iso.stop_at_first_failure = true;
  // A mutant whose module does not load dies starting its worker, which kills it; the probe
  // before each mutant would only cost time.
  iso.probe_first = probe_first;
  iso.xids = xids;
  std::ostringstream quiet;
  const VerifyReport r = run_isolated_verify(v, iso, quiet);
  health.xids.insert(health.xids.end(), r.health.xids.begin(), r.health.xids.end());
  health.probes += r.health.probes;
  health.xid_watch = r.health.xid_watch;
  if (!r.health.unhealthy.empty()) health.unhealthy = r.health.unhealthy;
  return r.failures.empty() ? std::string() : r.failures.front().text;
}

std::pair<std::string, std::string> split_kernel(const std::string& kernel) {
  const size_t colon = kernel.rfind(':');
  if (colon == std::string::npos || !kernel.substr(0, colon).ends_with(".cu"))
    throw ExternalKernelError("mutate: --kernel expects FILE.cu:ENTRY, got " + kernel);
  return {kernel.substr(0, colon), kernel.substr(colon + 1)};
}

// Mutants are built for the device that runs them; guessing an architecture would turn a
// device problem into a wave of "not compiled" or launch failures.
int device_arch(int device) {
  cudaDeviceProp p{};
  if (const cudaError_t e = cudaGetDeviceProperties(&p, device); e != cudaSuccess)
    throw ExternalKernelError("mutate: device " + std::to_string(device) + ": " +
                              cudaGetErrorString(e));
  return 10 * p.major + p.minor;
}

MutantResult judge_compiled(const MutationOptions& opt, const Mutant& m, const CompiledMutant& c,
                            const std::shared_ptr<XidSource>& xids, DeviceHealth& health) {
  MutantResult r;
  r.mutant = m;
  r.compile_seconds = c.seconds;
  if (!c.ok) {
    r.detail = first_line(c.error);
    return r;
  }
  const auto t = Clock::now();
  const std::string failure =
      verify_one(opt, c, "mutant_" + std::to_string(m.id), xids, health, false);
  r.seconds = since(t);
  if (!health.unhealthy.empty()) {
    r.status = MutantStatus::kUnjudged;
    r.detail = "the GPU became unhealthy during its run: " + health.unhealthy;
    return r;
  }
  r.status = failure.empty() ? MutantStatus::kSurvived : MutantStatus::kKilled;
  r.killed_by = failure.empty() ? "" : killing_check(failure);
  r.detail = first_line(failure);
  return r;
}

}  // namespace

MutantResult judge_mutant(const MutationOptions& opt, const Mutant& m) {
  const auto [file, entry] = split_kernel(opt.kernel);
  const fs::path dir = fs::path(opt.out_dir) / "cubins";
  fs::create_directories(dir);
  DeviceHealth health;
  return judge_compiled(
      opt, m,
      compile_mutant(opt, file, m.source, entry, device_arch(opt.device), dir.string(), m.id),
      std::shared_ptr<XidSource>(nvml_xid_source({opt.device})), health);
}

void judge_in_order(const std::vector<Mutant>& mutants,
                    const std::function<MutantResult(const Mutant&, DeviceHealth&)>& judge,
                    MutationReport& report, std::ostream& progress,
                    const std::function<void(const MutationReport&)>& after_each) {
  for (const Mutant& m : mutants) {
    MutantResult r;
    if (report.health.unhealthy.empty()) {
      r = judge(m, report.health);
    } else {
      r.mutant = m;
      r.status = MutantStatus::kUnjudged;
      r.detail = "not run: scoring stopped when the GPU became unhealthy";
    }
    if (r.status == MutantStatus::kEquivalentSass)
      progress << "  mutant " << r.mutant.id << " (" << r.mutant.op << ", line " << r.mutant.line
               << "): equivalent by SASS, not run\n"
               << std::flush;
    else if (r.status == MutantStatus::kKilled || r.status == MutantStatus::kSurvived)
      progress << "  mutant " << r.mutant.id << " (" << r.mutant.op << ", line " << r.mutant.line
               << "): "
               << (r.status == MutantStatus::kSurvived ? "SURVIVED" : "killed by " + r.killed_by)
               << " in " << r.seconds << " s\n"
               << std::flush;
    else if (r.status == MutantStatus::kUnjudged && r.seconds > 0)
      progress << "  mutant " << r.mutant.id << ": NOT JUDGED, " << r.detail << "; "
               << unhealthy_advice() << "\n"
               << std::flush;
    report.results.push_back(std::move(r));
    // Also after a mutant that did not compile, so a run cut short still reports it.
    if (after_each) after_each(report);
  }
}

std::string killing_check(const std::string& f) {
  if (f.find(": hung:") != std::string::npos) return "hang";
  if (f.find(": fault:") != std::string::npos) return "fault";
  if (f.find("outside its buffers") != std::string::npos) return "guard";
  if (f.find("never written") != std::string::npos) return "poison";
  if (f.find("differ") != std::string::npos) return "determinism";
  if (f.find("overflow") != std::string::npos) return "overflow";
  return "bound";
}

MutationReport run_mutation(const MutationOptions& opt, std::ostream& progress,
                            const std::function<void(const MutationReport&)>& after_each) {
  const auto [file, entry] = split_kernel(opt.kernel);
  if (opt.compiler != "nvrtc" && opt.compiler != "nvcc")
    throw ExternalKernelError("mutate: --compiler expects nvrtc or nvcc");
  std::string source;
  try {
    source = read_whole_file(file);
  } catch (const std::runtime_error& e) {
    throw ExternalKernelError(e.what());
  }
  if (source.empty()) throw ExternalKernelError(file + ": empty");
  check_external_kernel_args(opt.kernel, opt.launch);
  const fs::path dir = fs::path(opt.out_dir) / "cubins";
  fs::create_directories(dir);
  const int arch = device_arch(opt.device);
  const auto start = Clock::now();

  MutationReport report;
  std::vector<Mutant> mutants = generate_mutants(source);
  report.total_mutants = int64_t(mutants.size());
  if (opt.max_mutants > 0 && int64_t(mutants.size()) > opt.max_mutants) {
    std::vector<Mutant> picked;
    for (int64_t i = 0; i < opt.max_mutants; ++i)
      picked.push_back(mutants[size_t(i * int64_t(mutants.size()) / opt.max_mutants)]);
    mutants = std::move(picked);
  }

  // The unmutated kernel is compiled and verified first: if it fails, no mutant can be judged,
  // and nothing should be spent compiling them.
  const CompiledMutant original = compile_mutant(opt, file, source, entry, arch, dir.string(), -1);
  if (!original.ok)
    throw ExternalKernelError("the unmutated kernel does not compile: " + original.error);
  // Without the original's code every mutant runs: slower, never wrong.
  std::optional<EntryCode> original_code;
  try {
    original_code = entry_code_of_file(original.cubin_path, original.entry);
    report.instance = original_code->symbol;
  } catch (const std::exception& e) {
    report.instance = original.entry;
    report.sass_off = e.what();
    progress << "mutate: no mutant is compared with the unmutated kernel's code: " << e.what()
             << "\n";
  }
  // One Xid watch for the whole run: events between two mutants' runs are not lost.
  const std::shared_ptr<XidSource> xids(nvml_xid_source({opt.device}));
  const std::string original_failure =
      verify_one(opt, original, "unmutated", xids, report.health, true);
  if (!report.health.unhealthy.empty())
    throw std::runtime_error("the GPU is unhealthy before any mutant ran: " +
                             report.health.unhealthy + "; " + unhealthy_advice());
  if (!original_failure.empty())
    throw ExternalKernelError("the unmutated kernel fails verify, so no mutant can be judged: " +
                              first_line(original_failure));

  const auto t0 = Clock::now();
  std::vector<CompiledMutant> compiled(mutants.size());
  std::vector<char> equivalent(mutants.size(), 0);
  std::atomic<size_t> next{0};
  const int threads = opt.compile_jobs > 0 ? opt.compile_jobs
                                           : int(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (size_t i; (i = next++) < mutants.size();) {
        const auto t = Clock::now();
        compiled[i] =
            compile_mutant(opt, file, mutants[i].source, entry, arch, dir.string(), mutants[i].id);
        equivalent[i] = original_code && same_code(*original_code, compiled[i]);
        compiled[i].seconds = since(t);
      }
    });
  for (auto& t : pool) t.join();
  report.compile_seconds = since(t0);
  progress << "mutate: " << mutants.size() << " mutants (of " << report.total_mutants
           << ") compiled in " << report.compile_seconds << " s on " << threads << " threads\n"
           << std::flush;

  judge_in_order(
      mutants,
      [&](const Mutant& m, DeviceHealth& health) {
        // judge_in_order walks `mutants` itself: m's place there is its place in compiled.
        const size_t i = size_t(&m - mutants.data());
        if (!equivalent[i]) return judge_compiled(opt, m, compiled[i], xids, health);
        MutantResult r;
        r.mutant = m;
        r.status = MutantStatus::kEquivalentSass;
        r.compile_seconds = compiled[i].seconds;
        r.detail = "its code for " + report.instance + " is the unmutated kernel's";
        return r;
      },
      report, progress,
      [&](const MutationReport& r) {
        report.wall_seconds = since(start);
        if (after_each) after_each(r);
      });
  report.wall_seconds = since(start);
  return report;
}

}  // namespace qgemv
