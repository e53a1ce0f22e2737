#pragma once
// One A/B row measured: a base and a candidate side sampled in one process, on the same
// buffers, in the balanced random order of harness/bench/ab_order.h, each pair's log-ratio
// feeding the paired ratio, its interval and the verdict (harness/results/ab_verdict.h). A row
// still ambiguous after a round of pairs is measured again, its pairs pooled, up to max_rounds
// (docs/ab-gate.md). The kernel and token suites differ only in what a sample is
// (harness/bench/ab_kernel_bench.h, harness/bench/ab_token_bench.h).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "harness/bench/gpu_clocks.h"
#include "harness/bench/injection.h"
#include "harness/bench/sample_stats.h"
#include "harness/results/ab_verdict.h"
#include "harness/results/paired_ratio.h"

namespace qgemv {

struct AbOptions {
  // Round r has blocks << min(r, 4) blocks of 4 samples (40, 80, 160, 320, 640... pairs): the
  // verdict is looked at after each, at geometrically growing counts, so a clear row stops
  // after the first and a row near the threshold gets the pairs it needs.
  int64_t blocks = 20;
  int max_rounds = 8;      // rounds in all, the later ones only while the row is ambiguous
  double max_time_s = 10;  // no round starts once the row has sampled this long
  int warmup = 10;         // untimed samples of each side before the first round
  double threshold = 0.005;
  double confidence = 0.99;
  uint64_t seed = 1;  // with the row's name, the order of each round
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

struct AbResult {
  std::string name;  // the row's key (results/SCHEMA.md)
  SampleStats base, candidate;
  PairedRatio ratio;
  AbVerdict verdict = AbVerdict::kAmbiguous;
  int rounds = 0;
  int64_t throttle_discards = 0;
  double sm_mhz = 0;  // median over kept samples; 0 when clocks were not read
  double mem_mhz = 0;
};

// What a row's sample is. `sample(candidate, spin)` times one sample of a side, with the
// injection's spin (nullopt: none) at the end of its timed region, and returns its value in us;
// the region the spin is sized on is that value times `per_sample_launches` (a kernel batch
// sample is the mean of its launches), `launches` the GEMV launches inside it (for a delay per
// launch).
struct AbSampler {
  std::function<double(bool candidate, std::optional<uint64_t> spin)> sample;
  int launches = 1;
  int per_sample_launches = 1;
};

// The seed of round `round` of row `name` (FNV-1a of the name, so equal on every platform).
uint64_t ab_round_seed(uint64_t seed, const std::string& name, int round);

// The blocks of round `round` (0-based).
int64_t ab_round_blocks(const AbOptions& opt, int round);

// Warm-up of both sides, then rounds while the row is ambiguous. `clocks` may be null (not
// read, nothing discarded); a throttled sample is taken again in its place of the order.
AbResult ab_measure(const std::string& name, const AbOptions& opt, const GpuClocks* clocks,
                    int device, const AbSampler& s);

}  // namespace qgemv
