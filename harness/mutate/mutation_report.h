#pragma once
// What a mutation run found, for people (report.md) and for scripts (summary.csv): the counts
// per outcome, the score, and the time each outcome cost.
#include <cstdint>
#include <optional>
#include <string>

#include "harness/mutate/mutation_run.h"

namespace qgemv {

struct MutationCounts {
  int64_t mutants = 0;  // in this run (after --max-mutants)
  int64_t equivalent_sass = 0, killed = 0, survived = 0, not_compiled = 0, unjudged = 0;
  // killed / (mutants - equivalent - not compiled - not judged) in percent; none if nothing was
  // judged.
  std::optional<double> score_pct() const;
};

MutationCounts count_outcomes(const MutationReport& r);

// report.md: the score, per operator and per check, the time per mutant by outcome and of the
// whole run, the mutants equivalent by SASS and the diff of every survivor.
std::string mutation_report_markdown(const MutationOptions& opt, const MutationReport& r);

// summary.csv: a header and one row, kernel,instance,mutants,equivalent_sass,killed_verify,
// killed_sanitizer,survived,not_compiled,score_pct. killed_sanitizer is 0 until survivors are
// triaged under compute-sanitizer; an empty score_pct means nothing was judged.
std::string mutation_summary_csv(const MutationOptions& opt, const MutationReport& r);

}  // namespace qgemv
