#pragma once
// What `qgemv explain` prints: one token's cost per mode (token_breakdown.h), the per-kernel
// pass (each projection's kernel time against its bandwidth floor), and the largest cause.
#include <string>
#include <vector>

#include "harness/bench/token_breakdown.h"

namespace qgemv {

struct KernelLine {
  std::string kernel;  // projection name, or "q8_quantize"
  int64_t n = 0, k = 0;
  int64_t per_token = 0;  // launches per token
  double median_us = 0;   // per launch, median over the token's launches of it
  double floor_us = 0;    // its bytes at the read ceiling
};

struct Explanation {
  std::string device;
  TokenFacts facts;
  std::vector<ModeBreakdown> modes;
  std::vector<KernelLine> kernels;
  // The breakdown of the mode with the most time per token: where the most is to gain.
  const ModeBreakdown& slowest() const;
};

// explanation_json's "schema_version": raised whenever a key is renamed, removed or changes
// meaning, so that a script reading the JSON can refuse a version it does not know.
inline constexpr int kExplanationSchemaVersion = 1;

std::string explanation_text(const Explanation& e);
std::string explanation_csv(const Explanation& e);
std::string explanation_json(const Explanation& e);

}  // namespace qgemv
