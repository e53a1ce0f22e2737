#include "harness/mutate/mutant_compile.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "harness/external/external_kernel.h"
#include "harness/external/nvrtc_compiler.h"
#include "harness/io/read_whole_file.h"
#include "harness/io/timed_process.h"

namespace qgemv {
namespace {

namespace fs = std::filesystem;

// nvcc's limit for one mutant: qgemv's own kernel files take seconds to compile.
constexpr double kNvccTimeoutS = 600;

// Each instance's code in the unmutated cubin `c`, where it can be read.
std::vector<std::optional<EntryCode>> original_codes(const MutationOptions& opt,
                                                     const CompiledMutant& c,
                                                     const std::vector<KernelInstance>& instances) {
  std::vector<std::optional<EntryCode>> out(instances.size());
  if (!c.ok) return out;
  for (size_t i = 0; i < instances.size(); ++i) try {
      out[i] = entry_code_of_file(c.cubin_path, entry_in(opt, c, instances[i]));
    } catch (const std::exception&) {
    }
  return out;
}

double since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

std::string entry_in(const MutationOptions& opt, const CompiledMutant& c,
                     const KernelInstance& inst) {
  return opt.compiler == "nvcc" ? inst.entry : c.entry;
}

CompiledSet compile_all(const MutationOptions& opt, const std::string& file,
                        const std::string& source, const std::vector<Mutant>& mutants,
                        const std::vector<KernelInstance>& instances,
                        const CompiledMutant& original, int arch, const std::string& dir) {
  const auto t0 = std::chrono::steady_clock::now();
  CompiledSet set;
  set.mutants.resize(mutants.size());
  set.equivalent.resize(mutants.size());
  // No more threads than mutants: each compiles the unmutated kernel for itself first.
  set.threads =
      std::min<int>(opt.compile_jobs > 0 ? opt.compile_jobs
                                         : int(std::max(1u, std::thread::hardware_concurrency())),
                    int(std::max<size_t>(1, mutants.size())));
  const std::string first_entry = instances.front().entry;
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < set.threads; ++t)
    pool.emplace_back([&, t] {
      const CompiledMutant mine =
          t == 0 ? original : compile_mutant(opt, file, source, first_entry, arch, dir, -1, t);
      const std::vector<std::optional<EntryCode>> codes = original_codes(opt, mine, instances);
      for (size_t m; (m = next++) < mutants.size();) {
        const auto start = std::chrono::steady_clock::now();
        set.mutants[m] =
            compile_mutant(opt, file, mutants[m].source, first_entry, arch, dir, mutants[m].id, t);
        // The mutant's cubin read once for all the instances it is compared on.
        const std::optional<std::string> cubin = cubin_bytes(set.mutants[m]);
        for (const auto& code : codes)
          set.equivalent[m].push_back(code && cubin && same_code(*code, *cubin));
        set.mutants[m].seconds = since(start);
      }
    });
  for (auto& t : pool) t.join();
  set.seconds = since(t0);
  return set;
}

std::optional<std::string> cubin_bytes(const CompiledMutant& mutant) {
  if (!mutant.ok) return std::nullopt;
  try {
    return read_whole_file(mutant.cubin_path);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool same_code(const EntryCode& original, const CompiledMutant& mutant) {
  const std::optional<std::string> cubin = cubin_bytes(mutant);
  return cubin && same_code(original, *cubin);
}

bool same_code(const EntryCode& original, const std::string& cubin) {
  try {
    return entry_code(cubin, original.symbol).fingerprint == original.fingerprint;
  } catch (const std::exception&) {
    return false;
  }
}

std::string nvcc_path() {
  if (const char* home = std::getenv("CUDA_HOME"))
    if (fs::exists(fs::path(home) / "bin" / "nvcc"))
      return (fs::path(home) / "bin" / "nvcc").string();
  return fs::exists("/usr/local/cuda/bin/nvcc") ? "/usr/local/cuda/bin/nvcc" : "nvcc";
}

CompiledMutant compile_mutant(const MutationOptions& opt, const std::string& file,
                              const std::string& source, const std::string& entry, int arch,
                              const std::string& dir, int id, int slot) {
  const auto t0 = std::chrono::steady_clock::now();
  CompiledMutant c;
  const std::string stem = (fs::path(dir) / (id < 0 ? "unmutated-" + std::to_string(slot)
                                                    : "mutant-" + std::to_string(id)))
                               .string();
  const std::vector<std::string> options =
      opt.quantizer ? std::vector<std::string>()
                    : parse_launch_spec(judged_instances(opt).front().launch).compile_options;
  c.cubin_path = stem + ".cubin";
  c.entry = entry;
  if (opt.compiler == "nvcc") {
    const fs::path slot_dir = fs::path(dir) / ("slot-" + std::to_string(slot));
    fs::create_directories(slot_dir);
    const std::string cu = (slot_dir / fs::path(file).filename()).string();
    std::ofstream(cu) << source;
    std::vector<std::string> argv = {nvcc_path(), "-cubin", "-std=c++20", "-lineinfo",
                                     "-arch=sm_" + std::to_string(arch)};
    for (const std::string& inc : opt.includes) argv.push_back("-I" + inc);
    argv.insert(argv.end(), options.begin(), options.end());
    // The source's own folder, for its quoted includes ("." for a file named without one).
    const std::string own = fs::path(file).parent_path().string();
    argv.insert(argv.end(),
                {"-I" + (own.empty() ? std::string(".") : own), "-o", c.cubin_path, cu});
    // A compile that runs away (a mutant can make a template recurse) must not stop the run.
    const ProcessEnd end = run_with_deadline(argv, stem + ".log", kNvccTimeoutS);
    c.ok = end.error.empty() && !end.timed_out && end.exit_code == 0;
    if (!c.ok) {
      std::ifstream log(stem + ".log");
      std::getline(log, c.error);
      c.error =
          "nvcc: " + (!end.error.empty() ? end.error
                      : end.timed_out ? "stopped after " + std::to_string(int(kNvccTimeoutS)) + " s"
                                      : c.error);
    }
  } else {
    try {
      const CompiledKernel k = nvrtc_compile(file, source, entry, arch, options);
      std::ofstream(c.cubin_path, std::ios::binary).write(k.cubin.data(), long(k.cubin.size()));
      c.entry = k.lowered_entry;
      c.ok = true;
    } catch (const std::exception& e) {
      c.error = e.what();
    }
  }
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return c;
}

}  // namespace qgemv
