#include <iostream>
#include <limits>

#include "harness/cli/args.h"
#include "harness/cli/commands.h"
#include "harness/io/output_file.h"
#include "harness/results/merge.h"
#include "harness/results/results_csv.h"

namespace qgemv::cli {

int run_merge(int argc, char** argv) {
  const Args args(argc, argv, 2, {"out"}, {"help"}, std::numeric_limits<size_t>::max());
  if (args.has("help")) {
    std::cout << "usage: qgemv merge RUN1.csv RUN2.csv [RUN3.csv ...] --out BASELINE.csv\n"
                 "Pools runs of one build (same cases, same device) into one baseline whose\n"
                 "spread covers the runs: median = mean of the medians, p10 = lowest p10,\n"
                 "p90 = highest p90. A baseline made of two or more processes' runs gates on\n"
                 "changes larger than the machine's run-to-run drift. Every run must hold the\n"
                 "same cases (at least one) of one device and one build (git_rev), and each run\n"
                 "is named once. BASELINE.csv is written only whole, and never over a run\n"
                 "(docs/OUTPUT_FILES.md).\n"
                 "Exit 0 ok, 2 usage, 4 unreadable, empty or mismatched files, or a pooled row\n"
                 "no results file may hold.\n"
                 "Reference: docs/compare.md\n";
    return kExitOk;
  }
  if (args.positional().size() < 2) throw UsageError("expected two or more results files");
  const std::string out = args.require("out");
  const std::vector<std::string>& names = args.positional();
  // One run given twice would count its drift twice and look like two runs that agree.
  for (size_t i = 0; i < names.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (same_file(names[i], names[j]))
        throw UsageError(names[i] + " and " + names[j] +
                         " are the same file; merge pools distinct runs");
  check_output_file(out, names, "--out");
  std::vector<std::vector<ResultRow>> runs;
  for (const auto& name : args.positional()) runs.push_back(read_results_file(name));
  const auto merged = merge_runs(runs, args.positional());
  write_results_file(out, merged);
  std::cout << "merged " << runs.size() << " runs of " << merged.size() << " cases into " << out
            << "\n";
  return kExitOk;
}

}  // namespace qgemv::cli
