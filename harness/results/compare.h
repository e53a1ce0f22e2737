#pragma once
// Holds two results files side by side. A change is real only when the median moves by more
// than the threshold and the runs' samples say it is not noise: by the interval rule, the two
// rows' p10..p90 intervals do not overlap (the spread each file measured); by the rank rule,
// a Mann-Whitney U test of the two rows' kept samples (bench --samples-out) gives p < alpha.
#include <optional>
#include <string>
#include <vector>

#include "harness/io/junit_xml.h"
#include "harness/results/result_row.h"
#include "harness/results/samples_csv.h"

namespace qgemv {

enum class Verdict { kNoChange, kFaster, kSlower, kOnlyInBase, kOnlyInNew };

// kAuto: the rank rule where both runs' samples were given, the interval rule otherwise.
enum class GateRule { kAuto, kInterval, kRank };

struct CompareOptions {
  // Relative changes of the median below which a row is no change, by row class; each the
  // smallest that gave no false positive in same-build row comparisons on the H100 (1336 per
  // kernel class, 171 graph-mode; results/h100/GATE.md).
  double threshold = 0.04;         // kernel rows in batch timing (and any other row)
  double launch_threshold = 0.07;  // kernel rows timing one launch: launch latency drifts
  // For token rows in the eager modes (alloc, pool, workspace), whose time is host API calls:
  // on the H100 single processes of one build drifted by up to 40-85% (results/h100/GATE.md);
  // their allocation and launch counts, which do not drift, are gated exactly instead.
  double host_threshold = 0.5;
  // For token rows in graph mode: one replay per token, GPU-bound; five same-build processes
  // on the H100 differed by at most 0.87% (results/h100/GATE.md).
  double graph_threshold = 0.01;
  bool allow_device_mismatch = false;
  // A case of the baseline that the new run lacks fails the gate unless this is set: a kernel
  // that stopped running must not pass as "no regression".
  bool allow_missing = false;
  GateRule rule = GateRule::kAuto;
  double alpha = 0.001;  // the rank rule's significance level
};

// The threshold that applies to a row: host_threshold for host-bound token rows,
// graph_threshold for token rows in graph mode, launch_threshold for one-launch kernel rows,
// threshold for the others.
double threshold_for(const ResultRow& r, const CompareOptions& opt);

struct ComparedRow {
  std::string key;
  std::optional<ResultRow> base;
  std::optional<ResultRow> next;
  double ratio = 0;               // new median / base median
  std::optional<double> p_value;  // the rank test's, when both runs' samples were given
  Verdict verdict = Verdict::kNoChange;
};

struct Comparison {
  std::vector<ComparedRow> rows;  // base order, then rows only in the new file
  int regressions() const;
  int improvements() const;
  int only_in_base() const;  // missing from the new run
  int only_in_new() const;
  // Whether the gate fails: a regression, or (unless allowed) a case missing from the new run.
  bool failed(const CompareOptions& opt) const;
};

// Both runs' kept samples, when given (each may pool several files).
struct CompareSamples {
  SamplesByKey base, next;
};

// Throws std::runtime_error when the files measured different devices (unless allowed), when
// the rank rule has no samples, or when samples were given but a row both runs hold has none,
// not as many as its repetitions, or a median outside the row's p10..p90 (the samples of
// another run).
Comparison compare_results(const std::vector<ResultRow>& base, const std::vector<ResultRow>& next,
                           const CompareOptions& opt, const std::string& base_name,
                           const std::string& next_name,
                           const std::optional<CompareSamples>& samples = std::nullopt);

std::string to_markdown(const Comparison& c, const CompareOptions& opt);

// One line per compared case: key, suite, mode, base_median_us, new_median_us, ratio,
// p_value (empty without samples) and verdict, for scripts.
std::string to_csv(const Comparison& c);

const char* verdict_name(Verdict v);

// One JUnit test case per compared case: a regression fails with its numbers, a case missing
// from the new run fails unless allowed (then skipped), a new case is skipped (no baseline).
std::vector<JunitCase> junit_cases(const Comparison& c, const CompareOptions& opt);

}  // namespace qgemv
