#pragma once
// The kernel that writes a verified GEMV's input, late. It lets the next kernel start at once, as
// the executor's kernels do, sleeps, then copies the input into place. A GEMV launched after it
// with dependent launch that reads its input before waiting for the previous grid reads the
// poison that was there before and fails its bound; one that waits reads the input.
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace qgemv {

// Copies `bytes` (a multiple of 16, both pointers 16-byte aligned) from src to dst after about
// `delay_ns` nanoseconds.
cudaError_t launch_late_copy(const void* src, void* dst, size_t bytes, uint64_t delay_ns,
                             cudaStream_t stream);

}  // namespace qgemv
