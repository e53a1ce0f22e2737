#pragma once
// What one dependency between kernels costs on this device, measured in the same run as the
// results it explains: a chain of the cheapest dependent kernels (each starts early and waits
// for the one before, as the token's GEMVs and quantizations do), recorded into a graph and
// replayed behind a gate, as the graph-mode token is. A token of K dependent kernels cannot
// take less than K times this, however few bytes it moves.
#include <cstdint>

#include "harness/bench/sample_stats.h"
#include "harness/executor/executor.h"

namespace qgemv {

// Microseconds per kernel over a chain of `kernels`, one sample per replay. `ctas` per kernel:
// one per SM models a kernel spread over the device. `busy_ns` keeps each CTA busy that long
// after the wait (0 for the floor itself; tests use it to check that the time is per kernel).
SampleStats measure_dependency_floor(Executor& ex, unsigned ctas, int kernels = 224,
                                     int repetitions = 20, uint64_t busy_ns = 0);

}  // namespace qgemv
