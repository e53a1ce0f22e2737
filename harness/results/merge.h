#pragma once
// Pools several runs of one build into one results file whose spread covers the runs: a
// baseline that knows how much a second process on the same machine moves (allocation-bound
// token rows move 10-40% between processes, within-run spread misses that). Per case: median
// = mean of the runs' medians, p10 = lowest p10, p90 = highest p90, repetitions summed, the
// other timings averaged, gbps and pct_ceiling recomputed.
#include <string>
#include <vector>

#include "harness/results/result_row.h"

namespace qgemv {

// Every run must hold the same cases on the same device; throws std::runtime_error naming the
// run and the case otherwise.
std::vector<ResultRow> merge_runs(const std::vector<std::vector<ResultRow>>& runs,
                                  const std::vector<std::string>& names);

}  // namespace qgemv
