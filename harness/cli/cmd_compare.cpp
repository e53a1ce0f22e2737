#include <iostream>

#include "harness/cli/args.h"
#include "harness/cli/commands.h"
#include "harness/cli/selection.h"
#include "harness/results/compare.h"
#include "harness/results/results_csv.h"

namespace qgemv::cli {

int run_compare(int argc, char** argv) {
  const Args args(argc, argv, 2,
                  {"threshold", "launch-threshold", "host-threshold", "graph-threshold", "junit",
                   "rule", "alpha", "base-samples", "new-samples", "format"},
                  {"help", "allow-device-mismatch", "allow-missing"}, 2);
  if (args.has("help")) {
    std::cout
        << "usage: qgemv compare BASE.csv NEW.csv [--threshold 0.04] [--launch-threshold 0.07]\n"
           "                     [--graph-threshold 0.01] [--host-threshold 0.5]\n"
           "                     [--rule auto|interval|rank] [--alpha 0.001]\n"
           "                     [--base-samples F[,F..] --new-samples F[,F..]]\n"
           "                     [--allow-device-mismatch] [--allow-missing] [--junit FILE]\n"
           "                     [--format markdown|csv]\n"
           "Matches rows by case (suite/preset/projection/path/mode/shape) and prints a\n"
           "markdown table (or CSV: key, suite, mode, medians, ratio, p_value, verdict). A\n"
           "change is real when the median moves by more than the threshold AND the runs'\n"
           "samples say it is not noise: by --rule rank, a Mann-Whitney U test of the two rows'\n"
           "kept samples gives p < --alpha; by --rule interval, the p10-p90 intervals of the\n"
           "two files do not overlap. The default, auto, is rank for the rows whose samples both\n"
           "sides have (bench --samples-out; several files of one side are pooled) and\n"
           "interval for the others.\n"
           "Thresholds by row class: --threshold for kernel rows in batch timing, --launch-\n"
           "threshold for one-launch kernel rows (launch latency drifts between processes),\n"
           "--graph-threshold for token rows in graph mode; in the eager modes alloc, pool and\n"
           "workspace (host API calls, which drifted by up to 40-85% between processes)\n"
           "--host-threshold. A row that allocates or launches more than its baseline (counts,\n"
           "which do not drift) is a regression whatever its time. The defaults are the\n"
           "smallest that cried wolf on no row across same-build processes on the H100;\n"
           "with them the rank rule caught every 10% slowdown of one-launch kernel rows, 98%\n"
           "of 5% slowdowns of batch kernel rows and every 2% slowdown of graph-mode tokens\n"
           "(results/h100/GATE.md).\n"
           "A baseline pooled from several runs (qgemv merge) carries the run-to-run spread into\n"
           "the interval test.\n"
           "A case of BASE missing from NEW fails the gate unless --allow-missing; cases only\n"
           "in NEW do not. The summary counts regressions, improvements, missing and new cases.\n"
           "Files of different devices are an error unless --allow-device-mismatch.\n"
           "--junit FILE also writes JUnit XML: one test case per case, a regression or a\n"
           "missing case failed with its numbers, new cases skipped.\n"
           "Exit 1 on a real regression or a missing case, 0 otherwise, 2 usage, 4 on\n"
           "malformed or mismatched files.\n";
    return kExitOk;
  }
  if (args.positional().size() != 2) throw UsageError("expected BASE.csv and NEW.csv");
  CompareOptions opt;
  opt.threshold = args.get_double("threshold", opt.threshold);
  opt.host_threshold = args.get_double("host-threshold", opt.host_threshold);
  opt.graph_threshold = args.get_double("graph-threshold", opt.graph_threshold);
  opt.launch_threshold = args.get_double("launch-threshold", opt.launch_threshold);
  if (!(opt.threshold >= 0) || !(opt.host_threshold >= 0) || !(opt.graph_threshold >= 0) ||
      !(opt.launch_threshold >= 0))
    throw UsageError("thresholds must be non-negative");
  opt.allow_device_mismatch = args.has("allow-device-mismatch");
  opt.allow_missing = args.has("allow-missing");
  const std::string rule = args.get("rule").value_or("auto");
  if (rule != "auto" && rule != "interval" && rule != "rank")
    throw UsageError("--rule must be auto, interval or rank");
  opt.rule = rule == "rank"       ? GateRule::kRank
             : rule == "interval" ? GateRule::kInterval
                                  : GateRule::kAuto;
  opt.alpha = args.get_double_in("alpha", opt.alpha, 0, 1);
  // p < 0 never holds and p < 1 almost always does: either end turns the test off.
  if (!(opt.alpha > 0 && opt.alpha < 1))
    throw UsageError("--alpha must lie strictly between 0 and 1");
  const std::string format = args.get("format").value_or("markdown");
  if (format != "markdown" && format != "csv") throw UsageError("--format must be markdown or csv");
  if (args.get("base-samples").has_value() != args.get("new-samples").has_value())
    throw UsageError("--base-samples and --new-samples come together");
  if (opt.rule == GateRule::kRank && !args.get("base-samples"))
    throw UsageError("--rule rank needs --base-samples and --new-samples");
  const std::string& base_name = args.positional()[0];
  const std::string& next_name = args.positional()[1];
  const auto base = read_results_file(base_name);
  const auto next = read_results_file(next_name);
  std::optional<CompareSamples> samples;
  if (auto b = args.get("base-samples"))
    samples = CompareSamples{read_samples_files(split_list(*b)),
                             read_samples_files(split_list(*args.get("new-samples")))};
  const Comparison c = compare_results(base, next, opt, base_name, next_name, samples);
  std::cout << (format == "csv" ? to_csv(c) : to_markdown(c, opt));
  if (auto junit = args.get("junit")) write_junit_xml(*junit, "qgemv compare", junit_cases(c, opt));
  return c.failed(opt) ? kExitFailed : kExitOk;
}

}  // namespace qgemv::cli
