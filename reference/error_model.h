#pragma once
// Rigorous per-output error bounds for every GEMV path, and the checker that applies them.
// The derivation is in reference/ERROR_MODEL.md; the checker's own tests are in
// properties/cpu/checker_rejects_wrong_gemv_test.cpp.
#include <Eigen/Core>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "kernels/launch/gemv_path.h"
#include "reference/gemv.h"

namespace qgemv {

// Longest chain of f32 roundings any summand of one output passes through on path p.
int64_t rounding_budget(Path p, int64_t k);

// gamma_m = m*u / (1 - m*u) with u = 2^-24, Higham's constant for m f32 roundings.
double gamma_f32(int64_t m);

// |y_gpu - y_ref| <= bound, per output row.
Eigen::VectorXd error_bound(Path p, int64_t k, const ReferenceGemv& ref);

struct Mismatch {
  int64_t row;
  double got;
  double expected;
  double bound;
};

// What verification fills outputs with before a launch: a NaN with a payload no arithmetic
// produces, and all-ones bytes (the executor's poisoned allocations). A row that still holds
// either was never written.
inline constexpr uint32_t kOutputPoisonBits = 0x7FC0DEADu;
inline constexpr uint32_t kAllocationPoisonBits = 0xFFFFFFFFu;

struct CheckReport {
  int64_t rows = 0;
  int64_t failures = 0;
  int64_t unwritten = 0;  // rows that still hold a poison
  double worst_ratio = 0;       // max |got - expected| / bound over rows (inf if any NaN)
  std::vector<Mismatch> first;  // up to 8 failing rows
  bool ok() const { return failures == 0; }
  std::string summary() const;
};

// Checks every row; a non-finite output, including the poison, always fails.
CheckReport check_gemv(std::span<const float> got, const ReferenceGemv& ref, Path p, int64_t k);

}  // namespace qgemv
