#pragma once
// The Mann-Whitney U test (Wilcoxon rank-sum) of two samples: does one tend to be larger
// than the other? Google Benchmark's compare.py runs it on repetitions; here it runs on the
// kept samples of two runs' rows. Two-sided p-value from the normal approximation with the
// correction for ties (timer ticks make ties common) and for continuity, good for the tens to
// thousands of samples a row holds.
#include <vector>

namespace qgemv {

// Throws std::invalid_argument when either sample is empty. A p-value of 1 when every value
// of both samples is equal (nothing to rank).
double mann_whitney_p(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace qgemv
