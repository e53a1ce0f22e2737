#pragma once
// What a mutation run found, for people (report.md) and for scripts (summary.csv): per instance
// the counts per outcome, the score, and the time each outcome cost.
#include <cstdint>
#include <optional>
#include <string>

#include "harness/mutate/mutation_run.h"

namespace qgemv {

struct MutationCounts {
  int64_t mutants = 0;  // judgements (after --max-mutants and sharding)
  int64_t equivalent_sass = 0, killed = 0, killed_sanitizer = 0, survived = 0, not_compiled = 0,
          unjudged = 0;
  // (killed + killed by a sanitizer only) / (mutants - equivalent - not compiled - not judged)
  // in percent; none if nothing was judged.
  std::optional<double> score_pct() const;
};

// The counts of one instance's judgements (its place in r.instances), or of every judgement.
MutationCounts count_outcomes(const MutationReport& r, std::optional<size_t> instance = {});

// report.md: the instances and each one's counts and score, per operator and per check or tool,
// the time per judgement by outcome and of the whole run, the mutants equivalent by SASS on
// every instance, the mutants only a sanitizer killed, and the diff of every survivor.
std::string mutation_report_markdown(const MutationOptions& opt, const MutationReport& r);

// summary.csv: a header and one row per instance, kernel,instance,mutants,equivalent_sass,
// killed_verify,killed_sanitizer,survived,not_compiled,score_pct (kernel: FILE.cu; instance: a
// named instance's name, such as mwv_q8<8,128>, else the entry's full name in the cubin); an
// empty score_pct means nothing was judged.
std::string mutation_summary_csv(const MutationOptions& opt, const MutationReport& r);

// A mutant's outcome as a word of report.md and mutation.json ("killed", "killed_sanitizer",
// "survived", "equivalent_sass", "not_compiled", "not_judged"), and back (nullopt for another).
const char* status_word(MutantStatus s);
std::optional<MutantStatus> status_from_word(const std::string& w);

}  // namespace qgemv
