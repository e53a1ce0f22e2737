#include "kernels/bench/bench_kernels.h"

namespace qgemv {
namespace {

// A grid-stride loop of 16-byte loads, four in flight per thread, is what reaches the read
// ceiling on H100-class parts; the XOR keeps every load live.
__global__ void stream_read_kernel(const uint4* __restrict__ data, size_t count,
                                   unsigned* __restrict__ sink) {
  const size_t stride = size_t(gridDim.x) * blockDim.x;
  unsigned acc = 0;
  size_t i = size_t(blockIdx.x) * blockDim.x + threadIdx.x;
  for (; i + 3 * stride < count; i += 4 * stride) {
    const uint4 a = __ldcs(data + i), b = __ldcs(data + i + stride);
    const uint4 c = __ldcs(data + i + 2 * stride), d = __ldcs(data + i + 3 * stride);
    acc ^= a.x ^ a.y ^ a.z ^ a.w ^ b.x ^ b.y ^ b.z ^ b.w ^ c.x ^ c.y ^ c.z ^ c.w ^ d.x ^ d.y ^ d.z ^
           d.w;
  }
  for (; i < count; i += stride) {
    const uint4 a = __ldcs(data + i);
    acc ^= a.x ^ a.y ^ a.z ^ a.w;
  }
  // Data-dependent and practically never true, so the compiler must compute acc.
  if (acc == 0x9E3779B9u) *sink = acc;
}

}  // namespace

cudaError_t launch_stream_read(const void* data, size_t bytes, unsigned* sink,
                               cudaStream_t stream) {
  int device = 0, sms = 0;
  cudaError_t e = cudaGetDevice(&device);
  if (e == cudaSuccess) e = cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device);
  if (e != cudaSuccess) return e;
  constexpr int kThreads = 512;
  stream_read_kernel<<<sms * 4, kThreads, 0, stream>>>(static_cast<const uint4*>(data),
                                                       bytes / sizeof(uint4), sink);
  return cudaGetLastError();
}

}  // namespace qgemv
