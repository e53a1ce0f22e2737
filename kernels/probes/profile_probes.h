#pragma once
// Kernels of known character, for checking that `qgemv profile` names limiters right: each
// is built to be limited by one thing only. The pure streaming read is launch_stream_read
// (kernels/bench/bench_kernels.h), limited by DRAM bandwidth.
#include <cuda_runtime_api.h>

#include <cstdint>

namespace qgemv {

// Instruction issue: `ctas` CTAs of 256 threads (several per SM), each thread running four
// independent chains of `iterations` dependent FMAs, no memory traffic but one store per
// thread. Enough warps per scheduler to cover the FMA latency, so the schedulers issue nearly
// every cycle.
cudaError_t launch_fma_spin(float* out, unsigned ctas, int iterations, cudaStream_t stream);

// Latency: one CTA of one warp following `steps` links of a permutation (`next`, `words`
// entries, larger than L2), each load's address the previous load's value: one SM of many
// busy, one load in flight, every step a DRAM round trip.
cudaError_t launch_pointer_chase(const unsigned* next, int steps, unsigned* out,
                                 cudaStream_t stream);

}  // namespace qgemv
