#include <cmath>
#include <iostream>

#include "harness/cli/args.h"
#include "harness/cli/commands.h"
#include "harness/cli/selection.h"
#include "harness/io/output_file.h"
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
        << "usage: qgemv compare BASE.csv NEW.csv [options]\n"
           "Matches rows by case (suite/preset/projection/path/mode/shape) and gives each a\n"
           "verdict. A change is real when the median moves past the row class's threshold AND\n"
           "the samples say it is not noise (docs/compare.md; measured in results/h100/GATE.md).\n"
           "  --base-samples F[,F..]     the baseline's samples files (bench --samples-out; "
           "several\n"
           "  --new-samples F[,F..]      pool), given together; every compared row needs its own\n"
           "  --rule auto|interval|rank  rank: Mann-Whitney U on the samples, p < --alpha;\n"
           "                             interval: the p10-p90 intervals do not overlap; auto\n"
           "                             (default): rank with samples files, interval without\n"
           "  --alpha P                  the rank test's level (default 0.001; 0 < P < 1)\n"
           "  --threshold F              batch kernel rows (default 0.04)\n"
           "  --launch-threshold F       one-launch kernel rows (default 0.07)\n"
           "  --graph-threshold F        graph-mode token rows (default 0.01)\n"
           "  --host-threshold F         eager-mode token rows, host API time (default 0.5); a\n"
           "                             token that allocates or launches more is a regression\n"
           "                             at any time\n"
           "  --allow-missing            a case of BASE missing from NEW does not fail the gate\n"
           "  --allow-device-mismatch    compare files of different devices\n"
           "  --format markdown|csv      the table (default markdown) or CSV: key, suite, mode,\n"
           "                             medians, ratio, p_value, verdict\n"
           "  --junit FILE               also JUnit XML: a case per row, regressions and missing\n"
           "                             cases failed with their numbers, new cases skipped\n"
           "The defaults cried wolf on no row across same-build processes on the H100, and caught\n"
           "every 10% slowdown of one-launch kernel rows, 98% of 5% slowdowns of batch kernel\n"
           "rows and every 2% slowdown of graph-mode tokens. Pool a baseline from several runs\n"
           "(qgemv merge) so that it carries the run-to-run spread.\n"
           "Exit 1 on a real regression or a missing case, 0 otherwise, 2 usage, 4 on\n"
           "malformed or mismatched files (samples that are not the rows' own included).\n";
    return kExitOk;
  }
  if (args.positional().size() != 2) throw UsageError("expected BASE.csv and NEW.csv");
  CompareOptions opt;
  // A relative change; nan or inf would make every row "no change".
  const auto threshold = [&](const std::string& name, double fallback) {
    const double v = args.get_double(name, fallback);
    if (!std::isfinite(v) || v < 0)
      throw UsageError("--" + name + " must be a finite, non-negative number, got " +
                       *args.get(name));
    return v;
  };
  opt.threshold = threshold("threshold", opt.threshold);
  opt.host_threshold = threshold("host-threshold", opt.host_threshold);
  opt.graph_threshold = threshold("graph-threshold", opt.graph_threshold);
  opt.launch_threshold = threshold("launch-threshold", opt.launch_threshold);
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
  const auto files = [&](const std::string& name) {
    const auto v = args.get(name);
    return v ? split_list(*v) : std::vector<std::string>{};
  };
  const std::vector<std::string> base_samples = files("base-samples");
  const std::vector<std::string> new_samples = files("new-samples");
  std::vector<std::string> inputs = {base_name, next_name};
  inputs.insert(inputs.end(), base_samples.begin(), base_samples.end());
  inputs.insert(inputs.end(), new_samples.begin(), new_samples.end());
  if (auto junit = args.get("junit")) check_output_file(*junit, inputs, "--junit");
  const auto base = read_results_file(base_name);
  const auto next = read_results_file(next_name);
  std::optional<CompareSamples> samples;
  if (!base_samples.empty())
    samples = CompareSamples{read_samples_files(base_samples), read_samples_files(new_samples)};
  const Comparison c = compare_results(base, next, opt, base_name, next_name, samples);
  std::cout << (format == "csv" ? to_csv(c) : to_markdown(c, opt));
  if (auto junit = args.get("junit")) write_junit_xml(*junit, "qgemv compare", junit_cases(c, opt));
  return c.failed(opt) ? kExitFailed : kExitOk;
}

}  // namespace qgemv::cli
