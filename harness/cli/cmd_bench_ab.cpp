#include <iostream>
#include <map>

#include "harness/bench/ab_report.h"
#include "harness/cli/args.h"
#include "harness/cli/bench_ab.h"
#include "harness/cli/require_gpu.h"
#include "harness/executor/executor.h"
#include "harness/external/paths_library.h"
#include "harness/io/atomic_write.h"
#include "kernels/launch/path_registry.h"

namespace qgemv::cli {

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
  std::map<std::string, std::pair<Path, Path>> sides;
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
  KernelBenchOptions ko;
  ko.rotate_bytes = r.rotate_bytes;
  ko.seed = r.ab.seed;
  KernelBench kb(ex, ko, gpu->l2_bytes);
  AbKernelBench ab(kb, r.ab, clocks.get(), r.device);

  std::vector<KernelCase> cases =
      r.file ? kernel_cases(r.file, paths, r.timings) : kernel_cases(r.presets, paths, r.timings);
  std::erase_if(cases, [](const KernelCase& c) { return c.read_only; });  // no path to compare
  std::vector<AbKernelResult> rows;
  std::vector<std::string> errors;
  std::map<AbVerdict, int> counts;
  for (const KernelCase& c : cases) {
    const auto& [b, n] = sides.at(std::string(path_name(c.path)));
    try {
      rows.push_back(ab.run(c, b, n));
      ++counts[rows.back().verdict];
      std::cout << ab_line(rows.back()) << std::endl;
    } catch (const std::exception& e) {
      errors.push_back(c.name() + ": " + e.what());
      std::cerr << "qgemv bench: FAILED " << errors.back() << "\n";
    }
  }
  const AbRunInfo info{gpu->name, base.revision(), candidate.revision(), r.ab.threshold,
                       r.ab.confidence};
  write_file_atomically(r.out, std::ios::out | std::ios::trunc,
                        [&](std::ostream& f) { f << ab_rows_csv(ab_rows(info, rows)); });
  std::cerr << "qgemv bench: A/B wrote " << rows.size() << " rows to " << r.out << ": ";
  for (AbVerdict v :
       {AbVerdict::kSlower, AbVerdict::kFaster, AbVerdict::kSame, AbVerdict::kAmbiguous})
    std::cerr << counts[v] << " " << verdict_name(v) << (v == AbVerdict::kAmbiguous ? "" : ", ");
  std::cerr << (errors.empty() ? "" : "; " + std::to_string(errors.size()) + " failed") << "\n";
  const bool slower = counts[AbVerdict::kSlower] > 0 && !r.one_of_several;
  return !slower && errors.empty() ? kExitOk : kExitFailed;
}

}  // namespace qgemv::cli
