#pragma once
// The A/B rows as a CSV file (one line per case, ab_schema_version 1) and as the lines printed
// while the run goes on. Plain C++, tested on the CPU.
#include <string>
#include <vector>

#include "harness/bench/ab_kernel_bench.h"

namespace qgemv {

inline constexpr int kAbSchemaVersion = 1;

struct AbRunInfo {
  std::string device;
  std::string base_revision, candidate_revision;  // from the two libraries' tables
  double threshold = 0;                           // a fraction
  double confidence = 0;
};

// Header and rows: key, both revisions and medians, the ratio with its interval, pairs,
// rounds, verdict, clocks and throttle discards.
std::string ab_csv(const AbRunInfo& info, const std::vector<AbKernelResult>& rows);

// "kernel/...  base 8.012 us  new 8.095 us  x1.0104 [1.0081, 1.0127]  80 pairs  slower".
std::string ab_line(const AbKernelResult& r);

}  // namespace qgemv
