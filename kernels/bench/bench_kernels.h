#pragma once
// Kernels the benchmarks need besides the GEMVs: a streaming read that measures the device's
// read-bandwidth ceiling, a dependent read that times reading a GEMV's bytes as a GEMV would, a
// gate that holds a stream until the host has queued a timed region, a fixed delay and a spin used to
// check that a regression gate catches a slowdown, and the cheapest dependent kernel, whose chains
// measure what a dependency between kernels costs.
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace qgemv {

// Reads `bytes` (a multiple of 16) once with 16-byte loads; folds them into *sink so the
// reads cannot be elided.
cudaError_t launch_stream_read(const void* data, size_t bytes, unsigned* sink, cudaStream_t stream);

// Reads `bytes` (a multiple of 16, 16-byte aligned) once, each CTA asking L2 for its slice,
// then waiting for the stream's previous kernel as the mwv GEMVs do.
cudaError_t launch_dependent_read(const void* data, size_t bytes, unsigned* sink,
                                  cudaStream_t stream);

// One thread spins until *flag (host-mapped memory) becomes nonzero, or sets *timed_out after
// about `timeout_ns` nanoseconds.
cudaError_t launch_wait_for_flag(const volatile int* flag, int* timed_out, uint64_t timeout_ns,
                                 cudaStream_t stream);

// One thread sleeps for about `ns` nanoseconds.
cudaError_t launch_delay(uint64_t ns, cudaStream_t stream);

// One thread busy for `cycles` SM clock cycles (0: a kernel that does nothing).
cudaError_t launch_spin_cycles(uint64_t cycles, cudaStream_t stream);

// `ctas` CTAs that may start while the stream's previous kernel runs, wait for it to complete
// (as the GEMV kernels do), then each stays busy about `busy_ns` (0: not at all) and adds one to
// marks[its index]; `marks` holds `ctas` words.
cudaError_t launch_dependent_step(unsigned ctas, unsigned* marks, uint64_t busy_ns,
                                  cudaStream_t stream);

}  // namespace qgemv
