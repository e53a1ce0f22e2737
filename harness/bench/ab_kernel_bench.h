#pragma once
// One kernel case measured A/B (harness/bench/ab_measure.h): a sample is one launch, or the mean
// of a batch, of the side's path on the case's weights rotation, input and output, which both
// sides share.
#include "harness/bench/ab_measure.h"
#include "harness/bench/kernel_bench.h"

namespace qgemv {

class AbKernelBench {
 public:
  // `clocks` may be null (not read, nothing discarded).
  AbKernelBench(KernelBench& kb, const AbOptions& opt, const GpuClocks* clocks, int device);
  // `c` names the row (its path the bare name: kernel/.../mwv_q8/...); `base` and `candidate`
  // are the two builds' paths of that name, loaded from their libraries.
  AbResult run(const KernelCase& c, Path base, Path candidate);

 private:
  KernelBench& kb_;
  AbOptions opt_;
  const GpuClocks* clocks_;
  int device_;
};

}  // namespace qgemv
