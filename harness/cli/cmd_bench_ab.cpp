#include <iostream>
#include <map>
#include <random>

#include "harness/bench/ab_kernel_bench.h"
#include "harness/bench/ab_report.h"
#include "harness/bench/ab_token_bench.h"
#include "harness/bench/token_bench.h"
#include "harness/cli/args.h"
#include "harness/cli/bench_ab.h"
#include "harness/cli/require_gpu.h"
#include "harness/executor/executor.h"
#include "harness/external/paths_library.h"
#include "harness/io/atomic_write.h"
#include "kernels/launch/path_registry.h"

namespace qgemv::cli {
namespace {

using Sides = std::map<std::string, std::pair<Path, Path>>;  // by name: base, candidate

// The rows of one process, printed as each ends, and the cases that failed.
struct AbRun {
  std::vector<AbResult> rows;
  std::vector<std::string> errors;
  std::map<AbVerdict, int> counts;

  template <typename Measure>
  void add(const std::string& what, Measure&& measure) {
    try {
      rows.push_back(measure());
      ++counts[rows.back().verdict];
      std::cout << ab_line(rows.back()) << std::endl;
    } catch (const std::exception& e) {
      errors.push_back(what + ": " + e.what());
      std::cerr << "qgemv bench: FAILED " << errors.back() << "\n";
    }
  }
};

// Another process of the gate places the token's buffers elsewhere: a spacer of 2 to 128 MiB
// in whole 2 MiB pages, drawn from the seed and the model's name, allocated before them.
DeviceBuffer<char> token_spacer(const AbOptions& ab, const std::string& model) {
  if (!ab.relocate) return {};
  std::mt19937_64 rng(ab_round_seed(ab.seed, "token/" + model, -1));
  return DeviceBuffer<char>((1 + size_t(rng() % 64)) << 21);
}

void run_token_rows(const AbBenchRequest& r, Executor& ex, const Sides& sides, TokenPlan plan,
                    const GpuClocks* clocks, AbRun& run) {
  const std::string model = plan.model;
  const DeviceBuffer<char> spacer = token_spacer(r.ab, model);
  TokenModel tm(ex, std::move(plan), r.ab.seed);
  // --path's paths that both sides have (the others were skipped above, with a note).
  std::vector<Path> paths;
  for (Path p : r.token_paths)
    if (sides.contains(std::string(path_name(p)))) paths.push_back(p);
  if (r.token_paths.empty()) {
    std::vector<Path> candidates;
    for (const auto& [name, s] : sides) candidates.push_back(s.second);
    const Path fastest = fastest_path(tm, candidates);
    const std::string name = std::string(path_name(fastest)).substr(4);  // after "new:"
    std::cerr << "qgemv bench: A/B " << model
              << ": the candidate's path with the least kernel time per token: " << name << "\n";
    paths = {*find_path(name)};
  }
  AbTokenBench ab(tm, r.ab, clocks, r.device);
  for (Path p : paths) {
    const auto& [base, candidate] = sides.at(std::string(path_name(p)));
    for (TokenMode m : r.modes)
      run.add("token/" + model + "/" + std::string(path_name(p)) + "/" + mode_name(m),
              [&] { return ab.run(p, m, base, candidate); });
  }
  ex.synchronize();  // reports a Q8_1 overflow, if any
}

}  // namespace

int run_bench_ab(const AbBenchRequest& r) {
  // Loaded (and refused, if broken) before any GPU work; neither load calls CUDA.
  const PathsLibrary& base = load_paths_library(r.base_library, "base:");
  const PathsLibrary& candidate = load_paths_library(r.candidate_library, "new:");
  std::cerr << "qgemv bench: A/B, base " << base.file() << " (" << base.library() << " "
            << base.revision() << ") against " << candidate.file() << " (" << candidate.library()
            << " " << candidate.revision() << ")\n";
  // Each path of this build's selection, on both sides by name; a path one side lacks is
  // skipped with a note (a path added or removed by the change has nothing to pair with).
  std::vector<Path> paths;
  Sides sides;
  for (Path p : r.paths) {
    const std::string name(path_name(p));
    const auto b = find_path("base:" + name), c = find_path("new:" + name);
    if (!b || !c) {
      std::cerr << "qgemv bench: A/B: skipped path " << name << ": not in the "
                << (!b ? "base" : "candidate") << " library\n";
      continue;
    }
    paths.push_back(p);
    sides.emplace(name, std::pair{*b, *c});
  }
  const auto gpu = require_gpu("bench", r.device);
  if (!gpu) return kExitNoDevice;
  std::string no_clocks;
  std::unique_ptr<GpuClocks> clocks = GpuClocks::open(r.device, no_clocks);
  if (!clocks) std::cerr << "qgemv bench: clocks and throttling not read (" << no_clocks << ")\n";
  if (r.lock_clocks) {
    if (!clocks) throw std::runtime_error("--lock-clocks needs NVML: " + no_clocks);
    clocks->lock();
  }
  Executor ex(r.device);
  base.prepare(r.device);
  candidate.prepare(r.device);
  AbRun run;
  if (r.kernel_suite) {
    KernelBenchOptions ko;
    ko.rotate_bytes = r.rotate_bytes;
    ko.seed = r.ab.seed;
    KernelBench kb(ex, ko, gpu->l2_bytes);
    AbKernelBench ab(kb, r.ab, clocks.get(), r.device);
    std::vector<KernelCase> cases =
        r.file ? kernel_cases(r.file, paths, r.timings) : kernel_cases(r.presets, paths, r.timings);
    std::erase_if(cases, [](const KernelCase& c) { return c.read_only; });  // nothing to compare
    for (const KernelCase& c : cases) {
      const auto& [b, n] = sides.at(std::string(path_name(c.path)));
      run.add(c.name(), [&] { return ab.run(c, b, n); });
    }
  }
  if (r.token_suite && !sides.empty()) {
    if (r.gguf_plan)
      run_token_rows(r, ex, sides, *r.gguf_plan, clocks.get(), run);
    else
      for (const std::string& p : r.presets)
        run_token_rows(r, ex, sides, preset_token_plan(find_preset(p), r.ab.seed), clocks.get(),
                       run);
  }
  const AbRunInfo info{gpu->name, base.revision(), candidate.revision(), r.ab.threshold,
                       r.ab.confidence};
  write_file_atomically(r.out, std::ios::out | std::ios::trunc,
                        [&](std::ostream& f) { f << ab_rows_csv(ab_rows(info, run.rows)); });
  std::cerr << "qgemv bench: A/B wrote " << run.rows.size() << " rows to " << r.out << ": ";
  for (AbVerdict v :
       {AbVerdict::kSlower, AbVerdict::kFaster, AbVerdict::kSame, AbVerdict::kAmbiguous})
    std::cerr << run.counts[v] << " " << verdict_name(v)
              << (v == AbVerdict::kAmbiguous ? "" : ", ");
  std::cerr << (run.errors.empty() ? "" : "; " + std::to_string(run.errors.size()) + " failed")
            << "\n";
  const bool slower = run.counts[AbVerdict::kSlower] > 0 && !r.one_of_several;
  return !slower && run.errors.empty() ? kExitOk : kExitFailed;
}

}  // namespace qgemv::cli
