#include "kernels/probes/profile_probes.h"

namespace qgemv {
namespace {

constexpr unsigned kFmaThreads = 256;

__global__ void __launch_bounds__(kFmaThreads) fma_spin_kernel(float* out, int iterations) {
  float a = threadIdx.x, b = a + 1, c = a + 2, d = a + 3;
  const float m = 0.999f, s = 1e-3f;
  for (int i = 0; i < iterations; ++i) {
#pragma unroll
    for (int u = 0; u < 8; ++u) {
      a = fmaf(a, m, s);
      b = fmaf(b, m, s);
      c = fmaf(c, m, s);
      d = fmaf(d, m, s);
    }
  }
  out[blockIdx.x * blockDim.x + threadIdx.x] = a + b + c + d;
}

__global__ void pointer_chase_kernel(const unsigned* next, int steps, unsigned* out) {
  // Each lane follows its own chain: 32 loads in flight at most, all on one SM.
  unsigned i = threadIdx.x * 977u;
  for (int s = 0; s < steps; ++s) i = next[i];
  out[threadIdx.x] = i;
}

}  // namespace

cudaError_t launch_fma_spin(float* out, unsigned ctas, int iterations, cudaStream_t stream) {
  fma_spin_kernel<<<ctas, kFmaThreads, 0, stream>>>(out, iterations);
  return cudaGetLastError();
}

cudaError_t launch_pointer_chase(const unsigned* next, int steps, unsigned* out,
                                 cudaStream_t stream) {
  pointer_chase_kernel<<<1, 32, 0, stream>>>(next, steps, out);
  return cudaGetLastError();
}

}  // namespace qgemv
