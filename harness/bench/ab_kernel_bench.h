#pragma once
// One kernel case measured A/B: the base build's path and the candidate's timed in one process
// on the same weights rotation, input and output, in the balanced random order of
// harness/bench/ab_order.h, each pair's log-ratio feeding the paired ratio, its interval and
// the verdict (harness/results/ab_verdict.h). A row still ambiguous after a round of pairs is
// measured again, its pairs pooled, up to max_rounds (docs/ab-gate.md).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/bench/gpu_clocks.h"
#include "harness/bench/injection.h"
#include "harness/bench/kernel_bench.h"
#include "harness/bench/sample_stats.h"
#include "harness/results/ab_verdict.h"
#include "harness/results/paired_ratio.h"

namespace qgemv {

struct AbOptions {
  int64_t blocks = 20;  // per round, 4 samples each: 40 pairs
  int max_rounds = 4;   // rounds in all, the later ones only while the row is ambiguous
  int warmup = 10;      // untimed samples of each side before the first round
  double threshold = 0.005;
  double confidence = 0.99;
  uint64_t seed = 1;  // with the case's name, the order of each round
  // One process of several (docs/ab-gate.md): the same drift, placement or order effect must
  // not favour one side in every process. `mirror` swaps the sides of every block (ABBA becomes
  // BAAB), so that the side sampled first differs between processes for the same seed;
  // `relocate` loads each case's buffers behind a spacer drawn from the seed, at other device
  // addresses than the allocator's first choice.
  bool mirror = false;
  bool relocate = false;
  // A slowdown on the candidate side only; the base side keeps a zero-length spin, so that the
  // two sides differ by the spin alone.
  Injection injection;
};

struct AbKernelResult {
  std::string name;  // the case's name
  SampleStats base, candidate;
  PairedRatio ratio;
  AbVerdict verdict = AbVerdict::kAmbiguous;
  int rounds = 0;
  int64_t throttle_discards = 0;
  double sm_mhz = 0;  // median over kept samples; 0 when clocks were not read
  double mem_mhz = 0;
};

// The seed of round `round` of case `name` (FNV-1a of the name, so equal on every platform).
uint64_t ab_round_seed(uint64_t seed, const std::string& name, int round);

class AbKernelBench {
 public:
  // `clocks` may be null (not read, nothing discarded).
  AbKernelBench(KernelBench& kb, const AbOptions& opt, const GpuClocks* clocks, int device);
  // `c` names the case (its path the bare name: kernel/.../mwv_q8/...); `base` and `candidate`
  // are the two builds' paths of that name, loaded from their libraries.
  AbKernelResult run(const KernelCase& c, Path base, Path candidate);

 private:
  std::optional<uint64_t> spin_cycles(double region_us, int launches) const;
  KernelBench& kb_;
  AbOptions opt_;
  const GpuClocks* clocks_;
  int device_;
};

}  // namespace qgemv
