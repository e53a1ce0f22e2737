#pragma once
// The A/B rows of one process as CSV rows (harness/results/ab_rows.h) and as the lines printed
// while the run goes on. Plain C++, tested on the CPU.
#include <string>
#include <vector>

#include "harness/bench/ab_measure.h"
#include "harness/results/ab_rows.h"

namespace qgemv {

struct AbRunInfo {
  std::string device;
  std::string base_revision, candidate_revision;  // from the two libraries' tables
  double threshold = 0;                           // a fraction
  double confidence = 0;
};

// One row per result: key, both revisions and medians, the ratio with its interval, pairs,
// rounds, verdict, clocks and throttle discards; one process, its verdict.
std::vector<AbRow> ab_rows(const AbRunInfo& info, const std::vector<AbResult>& rows);

// "kernel/...  base 8.012 us  new 8.095 us  x1.0104 [1.0081, 1.0127]  80 pairs  slower".
std::string ab_line(const AbResult& r);

}  // namespace qgemv
