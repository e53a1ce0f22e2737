// What any kernel must pay to read a GEMV's weight bytes where the GEMV runs: a kernel that
// only reads them, launched and waiting as the mwv kernels do (dependent_launch.cuh). Each CTA
// asks L2 for its 4 KB slice, waits for the previous kernel, then reads the slice with one
// 16-byte streaming load per thread. Of the readers measured on the H100 (1 to 8 loads per
// thread, 128 to 1024 threads, with and without the early L2 request) this one read 38 MB and
// 7.7 MB fastest back to back; a GEMV on the same bytes in the same timing can only be slower.
#include "kernels/bench/bench_kernels.h"
#include "kernels/gemv/dependent_launch.cuh"

namespace qgemv {
namespace {

constexpr unsigned kReadThreads = 256;

__global__ void dependent_read_kernel(const uint4* __restrict__ data, size_t count,
                                      unsigned* __restrict__ sink) {
  dev::allow_dependent_launch();
  const size_t first = size_t(blockIdx.x) * kReadThreads;
  if (threadIdx.x == 0)
    dev::prefetch_to_l2(data + first, uint32_t(min(size_t(kReadThreads), count - first) * 16));
  dev::wait_for_previous_grid();
  const size_t i = first + threadIdx.x;
  if (i >= count) return;
  const uint4 v = __ldcs(data + i);
  // Data-dependent and practically never true, so the load must happen.
  if ((v.x ^ v.y ^ v.z ^ v.w) == 0x9E3779B9u) *sink = v.x;
}

}  // namespace

cudaError_t launch_dependent_read(const void* data, size_t bytes, unsigned* sink,
                                  cudaStream_t stream) {
  const size_t count = bytes / sizeof(uint4);
  if (count == 0) return cudaErrorInvalidValue;
  dev::launch_after_previous(dependent_read_kernel,
                             {unsigned((count + kReadThreads - 1) / kReadThreads), kReadThreads},
                             stream, static_cast<const uint4*>(data), count, sink);
  return cudaGetLastError();
}

}  // namespace qgemv
