#pragma once
// The device's read-bandwidth ceiling, measured in the same run as the benchmarks it scales:
// a streaming read of a buffer far larger than L2, timed behind a gate.
#include <cuda_runtime_api.h>

#include <cstdint>

#include "harness/bench/sample_stats.h"

namespace qgemv {

struct ReadCeiling {
  int64_t bytes = 0;  // bytes read per repetition
  SampleStats us;     // time per repetition
  double gbps = 0;    // bytes / median time, GB/s (1e9 bytes/s)
};

// Reads `bytes` (rounded down to 16) `repetitions` times after two warm-ups.
ReadCeiling measure_read_ceiling(cudaStream_t stream, int64_t bytes = int64_t(4) << 30,
                                 int repetitions = 20);

}  // namespace qgemv
