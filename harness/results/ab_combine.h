#pragma once
// The A/B rows of several processes of one gate, combined into one row per case: the process
// is the repetition level (Kalibera & Jones), so a case is slower, faster or same only when
// every process says so (combine_verdicts), ambiguous otherwise (docs/ab-gate.md). Pure:
// tested on the CPU with rows made up in the test.
#include <string>
#include <vector>

#include "harness/results/ab_rows.h"

namespace qgemv {

struct AbCombined {
  std::vector<AbRow> rows;              // in the order the cases first appear
  std::vector<std::string> incomplete;  // keys some process has no row for (its case failed)
};

// One row per key over `processes` (each one process's rows, from read_ab_csv):
//   verdict             combine_verdicts of the processes that have the key; ambiguous when
//                       a process lacks it
//   ratio, medians, clocks   the median over those processes
//   ratio_lo, ratio_hi  the lowest lo and the highest hi (the envelope of their intervals);
//                       "-" when any of them has none
//   pairs, samples, throttle discards   summed; rounds: the most any process needed
//   processes, process_verdicts   how many had the key and what each said ('/'-separated,
//                       "-" for a process without it)
// Throws std::invalid_argument on no processes, or when they differ in device, revisions,
// threshold or confidence (not one gate's processes).
AbCombined combine_ab_processes(const std::vector<std::vector<AbRow>>& processes);

}  // namespace qgemv
