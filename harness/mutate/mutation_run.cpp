#include "harness/mutate/mutation_run.h"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <sstream>

#include "harness/external/external_kernel.h"
#include "harness/external/external_quantizer.h"
#include "harness/io/fnv1a.h"
#include "harness/io/read_whole_file.h"
#include "harness/mutate/mutant_compile.h"
#include "harness/mutate/mutant_verify.h"
#include "kernels/launch/path_registry.h"

namespace qgemv {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// FILE.cu of FILE.cu:ENTRY, or of FILE.cu alone where the instances are named otherwise.
std::string kernel_file(const MutationOptions& opt) {
  const std::string file = kernel_source_file(opt.kernel);
  if (file.empty() || (kernel_entry(opt.kernel).empty() && opt.instances.empty()))
    throw ExternalKernelError("mutate: --kernel expects FILE.cu:ENTRY, got " + opt.kernel);
  return file;
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

// A verification's path name: WHAT, on instance I of several WHAT_iI. This process registers
// each name it verifies and a name may not repeat, so a name an earlier run here took (a test's)
// gets a number.
std::string path_name_for(const std::string& what, size_t instance, size_t instances) {
  const std::string base = instances > 1 ? what + "_i" + std::to_string(instance) : what;
  std::string name = base;
  for (int n = 2; find_path(name); ++n) name = base + "_" + std::to_string(n);
  return name;
}

// What judging a compiled mutant on one instance needs besides the mutant.
struct JudgeContext {
  const MutationOptions& opt;
  const std::vector<KernelInstance>& instances;
  const CompiledMutant& original;
  std::shared_ptr<XidSource> xids;
  SanitizerTriage& triage;
};

MutantResult judge_compiled(const JudgeContext& ctx, const Mutant& m, size_t i,
                            const CompiledMutant& c, DeviceHealth& health) {
  MutantResult r;
  r.mutant = m;
  r.instance = i;
  r.compile_seconds = c.seconds;
  if (!c.ok) {
    r.detail = first_line(c.error);
    return r;
  }
  const KernelInstance& inst = ctx.instances[i];
  const std::string name = path_name_for("mutant_" + std::to_string(m.id), i, ctx.instances.size());
  const auto t = Clock::now();
  const std::string failure = verify_one(ctx.opt, c, inst, name, ctx.xids, health, false);
  r.seconds = since(t);
  if (!health.unhealthy.empty()) {
    r.status = MutantStatus::kUnjudged;
    r.detail = "the GPU became unhealthy during its run: " + health.unhealthy;
    return r;
  }
  if (!failure.empty()) {
    r.status = MutantStatus::kKilled;
    r.killed_by = killing_check(failure);
    r.detail = first_line(failure);
    return r;
  }
  const Triage tri =
      ctx.triage.triage(inst.name, verify_command(ctx.opt, ctx.original, inst, "unmutated"),
                        verify_command(ctx.opt, c, inst, name),
                        "mutant-" + std::to_string(m.id) + "-instance-" + std::to_string(i));
  r.seconds += tri.seconds;
  r.status = tri.killed_by.empty() ? MutantStatus::kSurvived : MutantStatus::kKilledSanitizer;
  r.killed_by = tri.killed_by;
  r.detail = first_line(tri.detail);
  return r;
}

std::string instance_label(const MutationReport& r, size_t i) {
  return r.instances.size() > 1 ? " on " + r.instances[i].name : "";
}

// What an unmutated instance's verdict under a sanitizer tool depends on besides the instance
// and the tool (sanitizer_triage.h): the kernel's source and how it is compiled, the cases (the
// seed), and the qgemv that verifies it (its file's size and time: a rebuilt one checks again).
std::string triage_cache_key(const MutationOptions& opt, const std::string& source) {
  std::error_code ec;
  const fs::path link = fs::read_symlink(opt.worker, ec);  // /proc/self/exe: this qgemv
  const fs::path binary = ec ? fs::path(opt.worker) : link;
  const uintmax_t size = fs::file_size(binary, ec);
  const auto time = fs::last_write_time(binary, ec).time_since_epoch().count();
  std::string key = std::to_string(fnv1a(source)) + "\n" + opt.compiler + "\n" +
                    std::to_string(opt.seed) + "\n" + std::to_string(int(opt.quantizer)) + "\n" +
                    binary.string() + "\n" + std::to_string(size) + "\n" + std::to_string(time);
  for (const std::string& dir : opt.includes) key += "\n" + dir;
  return key;
}

}  // namespace

std::string kernel_source_file(const std::string& kernel) {
  const std::string file = kernel.ends_with(".cu") ? kernel : kernel.substr(0, kernel.rfind(':'));
  return file.ends_with(".cu") ? file : "";
}

std::string kernel_entry(const std::string& kernel) {
  if (kernel.ends_with(".cu")) return "";
  const size_t colon = kernel.rfind(':');
  return colon == std::string::npos ? "" : kernel.substr(colon + 1);
}

std::vector<KernelInstance> judged_instances(const MutationOptions& opt) {
  if (!opt.instances.empty()) return opt.instances;
  KernelInstance one;
  one.entry = kernel_entry(opt.kernel);
  one.name = one.entry;
  one.launch = opt.quantizer ? kQuantizerLaunch : opt.launch;
  one.max_k = opt.max_k;
  return {one};
}

std::vector<Mutant> judged_mutants(const MutationOptions& opt, std::vector<Mutant> all) {
  if (opt.max_mutants > 0 && int64_t(all.size()) > opt.max_mutants) {
    std::vector<Mutant> picked;
    for (int64_t i = 0; i < opt.max_mutants; ++i)
      picked.push_back(all[size_t(i * int64_t(all.size()) / opt.max_mutants)]);
    all = std::move(picked);
  }
  if (opt.shards <= 1) return all;
  std::vector<Mutant> mine;
  for (size_t i = size_t(opt.shard); i < all.size(); i += size_t(opt.shards))
    mine.push_back(std::move(all[i]));
  return mine;
}

MutantResult judge_mutant(const MutationOptions& opt, const Mutant& m) {
  const std::string file = kernel_file(opt);
  const std::vector<KernelInstance> instances = judged_instances(opt);
  const fs::path dir = fs::path(opt.out_dir) / "cubins";
  fs::create_directories(dir);
  DeviceHealth health;
  SanitizerOptions no_sanitizer;
  no_sanitizer.off = true;
  SanitizerTriage triage(no_sanitizer, dir.string());
  const int arch = opt.arch > 0 ? opt.arch : device_arch(opt.device);
  const CompiledMutant c =
      compile_mutant(opt, file, m.source, instances.front().entry, arch, dir.string(), m.id);
  const JudgeContext ctx{opt, instances, c,
                         std::shared_ptr<XidSource>(nvml_xid_source({opt.device})), triage};
  return judge_compiled(ctx, m, 0, c, health);
}

void judge_in_order(const std::vector<Mutant>& mutants, size_t instances, const JudgeFn& judge,
                    MutationReport& report, std::ostream& progress,
                    const std::function<void(const MutationReport&)>& after_each) {
  for (const Mutant& m : mutants)
    for (size_t i = 0; i < instances; ++i) {
      MutantResult r;
      if (report.health.unhealthy.empty()) {
        r = judge(m, i, report.health);
      } else {
        r.mutant = m;
        r.instance = i;
        r.status = MutantStatus::kUnjudged;
        r.detail = "not run: scoring stopped when the GPU became unhealthy";
      }
      const std::string head = "  mutant " + std::to_string(r.mutant.id) + " (" + r.mutant.op +
                               ", line " + std::to_string(r.mutant.line) + ")" +
                               instance_label(report, i) + ": ";
      if (r.status == MutantStatus::kEquivalentSass)
        progress << head << "equivalent by SASS, not run\n" << std::flush;
      else if (r.status == MutantStatus::kKilled || r.status == MutantStatus::kSurvived ||
               r.status == MutantStatus::kKilledSanitizer)
        progress << head
                 << (r.status == MutantStatus::kSurvived ? std::string("SURVIVED")
                     : r.status == MutantStatus::kKilled
                         ? "killed by " + r.killed_by
                         : "killed by compute-sanitizer " + r.killed_by + " only")
                 << " in " << r.seconds << " s\n"
                 << std::flush;
      else if (r.status == MutantStatus::kUnjudged && r.seconds > 0)
        progress << head << "NOT JUDGED, " << r.detail << "; " << unhealthy_advice() << "\n"
                 << std::flush;
      // After each judgement that ran, so that a run cut short still reports what the device
      // did; the equivalent and not-compiled results between them cost nothing to redo, and
      // writing after each of them made the outputs' writing grow with the square of the run.
      const bool ran = r.seconds > 0;
      report.results.push_back(std::move(r));
      if (ran && after_each) after_each(report);
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
  const std::string file = kernel_file(opt);
  if (opt.compiler != "nvrtc" && opt.compiler != "nvcc")
    throw ExternalKernelError("mutate: --compiler expects nvrtc or nvcc");
  MutationReport report;
  report.instances = judged_instances(opt);
  // NVRTC compiles one name expression; nvcc's cubin holds every instance of a template.
  if (report.instances.size() > 1 && opt.compiler != "nvcc")
    throw ExternalKernelError("mutate: several instances need --compiler nvcc");
  std::string source;
  try {
    source = read_whole_file(file);
  } catch (const std::runtime_error& e) {
    throw ExternalKernelError(e.what());
  }
  if (source.empty()) throw ExternalKernelError(file + ": empty");
  for (const KernelInstance& inst : report.instances)
    if (opt.quantizer)
      ExternalQuantizer::check_arg(file + ":" + inst.entry);
    else
      check_external_kernel_args(file + ":" + inst.entry, inst.launch);
  const fs::path dir = fs::path(opt.out_dir) / "cubins";
  fs::create_directories(dir);
  const int arch = opt.arch > 0 ? opt.arch : device_arch(opt.device);
  const auto start = Clock::now();

  std::vector<Mutant> all = generate_mutants(source);
  report.total_mutants = int64_t(all.size());
  const std::vector<Mutant> mutants = judged_mutants(opt, std::move(all));

  // The unmutated kernel is compiled and verified first: if it fails, no mutant can be judged,
  // and nothing should be spent compiling them.
  const std::string first_entry = report.instances.front().entry;
  const CompiledMutant original =
      compile_mutant(opt, file, source, first_entry, arch, dir.string(), -1);
  if (!original.ok)
    throw ExternalKernelError("the unmutated kernel does not compile: " + original.error);
  // The instances' symbols, from the unmutated cubin; where one cannot be read, every mutant
  // runs there: slower, never wrong.
  for (size_t i = 0; i < report.instances.size(); ++i) {
    const KernelInstance& inst = report.instances[i];
    try {
      report.symbols.push_back(
          entry_code_of_file(original.cubin_path, entry_in(opt, original, inst)).symbol);
    } catch (const std::exception& e) {
      report.symbols.push_back(inst.entry);
      report.sass_off += (report.sass_off.empty() ? "" : "; ") + inst.name + ": " + e.what();
      progress << "mutate: no mutant of " << inst.name
               << " is compared with the unmutated kernel's code: " << e.what() << "\n";
    }
  }
  // One Xid watch for the whole run: events between two mutants' runs are not lost.
  std::shared_ptr<XidSource> xids;
  if (!opt.plan) {
    xids = nvml_xid_source({opt.device});
    bool probe = true;
    for (size_t i = size_t(opt.shard); i < report.instances.size(); i += size_t(opt.shards)) {
      const std::string failure = verify_one(opt, original, report.instances[i],
                                             path_name_for("unmutated", i, report.instances.size()),
                                             xids, report.health, probe);
      probe = false;
      if (!report.health.unhealthy.empty())
        throw std::runtime_error("the GPU is unhealthy before any mutant ran: " +
                                 report.health.unhealthy + "; " + unhealthy_advice());
      if (!failure.empty())
        throw ExternalKernelError("the unmutated kernel fails verify on " +
                                  report.instances[i].name +
                                  ", so no mutant can be judged there: " + first_line(failure));
    }
  }

  const CompiledSet compiled =
      compile_all(opt, file, source, mutants, report.instances, original, arch, dir.string());
  report.compile_seconds = compiled.seconds;
  progress << "mutate: " << mutants.size() << " mutants (of " << report.total_mutants
           << (opt.shards > 1
                   ? ", shard " + std::to_string(opt.shard) + " of " + std::to_string(opt.shards)
                   : std::string())
           << ") compiled in " << report.compile_seconds << " s on " << compiled.threads
           << " threads, " << report.instances.size() << " instance(s)\n"
           << std::flush;

  if (opt.plan) {
    for (size_t m = 0; m < mutants.size(); ++m)
      for (size_t i = 0; i < report.instances.size(); ++i) {
        MutantResult r;
        r.mutant = mutants[m];
        r.instance = i;
        r.compile_seconds = compiled.mutants[m].seconds;
        r.status = compiled.equivalent[m][i] ? MutantStatus::kEquivalentSass
                   : compiled.mutants[m].ok  ? MutantStatus::kUnjudged
                                             : MutantStatus::kNotCompiled;
        r.detail = r.status == MutantStatus::kUnjudged ? "planned" : "";
        report.results.push_back(std::move(r));
      }
    report.wall_seconds = since(start);
    report.shard_seconds = {report.wall_seconds};
    report.complete = true;
    return report;
  }
  SanitizerTriage triage(opt.sanitizer, (fs::path(opt.out_dir) / "sanitizer").string(),
                         triage_cache_key(opt, source));
  report.sanitizer = triage.sanitizer();
  report.sanitizer_off = triage.off();
  if (!triage.off().empty()) progress << "mutate: sanitizer " << triage.off() << "\n";
  const JudgeContext ctx{opt, report.instances, original, xids, triage};
  judge_in_order(
      mutants, report.instances.size(),
      [&](const Mutant& m, size_t i, DeviceHealth& health) {
        // judge_in_order walks `mutants` itself: m's place there is its place in compiled.
        const size_t at = size_t(&m - mutants.data());
        if (!compiled.equivalent[at][i])
          return judge_compiled(ctx, m, i, compiled.mutants[at], health);
        MutantResult r;
        r.mutant = m;
        r.instance = i;
        r.status = MutantStatus::kEquivalentSass;
        r.compile_seconds = compiled.mutants[at].seconds;
        r.detail = "its code for " + report.symbols[i] + " is the unmutated kernel's";
        return r;
      },
      report, progress,
      [&](const MutationReport& r) {
        report.wall_seconds = since(start);
        report.sanitizer_notes = triage.notes();
        if (after_each) after_each(r);
      });
  report.wall_seconds = since(start);
  report.shard_seconds = {report.wall_seconds};
  report.sanitizer_notes = triage.notes();
  report.complete = true;
  return report;
}

}  // namespace qgemv
