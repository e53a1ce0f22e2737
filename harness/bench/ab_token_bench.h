#pragma once
// One token row measured A/B (harness/bench/ab_measure.h): a sample is one decode step of the
// side's path in the row's mode, both sides on one TokenModel (the same weights, inputs and
// workspace). In the graph mode each side's token is recorded once and the two graphs are
// replayed in turn; in the eager modes the sides issue alternate tokens. A sample is the
// token's wall time, as in the token rows (results/SCHEMA.md). On two-stage paths both sides
// quantize with this build's q8_quantize: a paths library holds GEMV paths, not the quantizer.
#include "harness/bench/ab_measure.h"
#include "harness/bench/token_model.h"

namespace qgemv {

class AbTokenBench {
 public:
  // `clocks` may be null (not read, nothing discarded).
  AbTokenBench(TokenModel& model, const AbOptions& opt, const GpuClocks* clocks, int device);
  // `path` names the row (this build's path of the two sides' name).
  AbResult run(Path path, TokenMode mode, Path base, Path candidate);

 private:
  TokenModel& model_;
  AbOptions opt_;
  const GpuClocks* clocks_;
  int device_;
};

}  // namespace qgemv
