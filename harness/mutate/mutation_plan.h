#pragma once
// What a mutation run will cost before a GPU is asked (mutate --plan): compiling and comparing
// needs only the toolkit, and a mutant equivalent by SASS costs no GPU time, so the judgements
// left to run, times the H100's measured cost of each outcome, bound the device time, per
// instance and for the whole kernel; that is what a run is sharded by.
#include <string>

#include "harness/mutate/mutation_run.h"

namespace qgemv {

// Seconds a judgement took on the H100 (results/h100/mutation/README.md, 8 verify workers): a
// killed mutant about 1.5, a survivor verify's whole case budget, about 30.
inline constexpr double kKilledJudgementSeconds = 1.5;
inline constexpr double kSurvivorJudgementSeconds = 30;

// plan.md of a --plan run: per instance the mutants, equivalent by SASS, not compiled and to
// run, with the device time if every one that runs is killed and if every one survives.
std::string mutation_plan_markdown(const MutationOptions& opt, const MutationReport& r);

}  // namespace qgemv
