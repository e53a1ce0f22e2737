// Built with --fmad=false (harness/CMakeLists.txt): the block quantizer must round as the host's.
#include <curand_kernel.h>

#include "harness/verify/gpu_case.h"
#include "reference/q4k_quantize_block.h"

namespace qgemv::testing::detail {
namespace {

constexpr int kThreads = 128;

// The distributions of random_values: normal, uniform on (-1, 1], and Student's t with two
// degrees of freedom (Z / sqrt(V/2) with V = -2 ln U chi-squared), clamped to +-1e4.
__device__ float draw(curandStatePhilox4_32_10_t& st, Values kind) {
  switch (kind) {
    case Values::kUniform:
      return 2.0f * curand_uniform(&st) - 1.0f;
    case Values::kHeavyTailed: {
      const float z = curand_normal(&st);
      const float v = fmaxf(-logf(curand_uniform(&st)), 1e-30f);
      return fminf(fmaxf(z / sqrtf(v), -1e4f), 1e4f);
    }
    default:
      return curand_normal(&st);
  }
}

__global__ void random_q4k(BlockQ4K* out, int64_t blocks, uint64_t seed, Values source) {
  const int64_t b = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (b >= blocks) return;
  curandStatePhilox4_32_10_t st;
  curand_init(seed, uint64_t(b), 0, &st);
  float x[kQK];
  for (float& e : x) e = draw(st, source) * 0.02f;  // typical weight scale of a trained layer
  q4k_detail::quantize_block(x, out[b]);
}

__global__ void quantize(const float* x, BlockQ4K* out, int64_t blocks) {
  const int64_t b = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (b < blocks) q4k_detail::quantize_block(x + b * kQK, out[b]);
}

unsigned grid(int64_t blocks) { return unsigned((blocks + kThreads - 1) / kThreads); }

}  // namespace

void launch_random_q4k(BlockQ4K* out, int64_t blocks, uint64_t seed, Values source,
                       cudaStream_t stream) {
  if (blocks > 0) random_q4k<<<grid(blocks), kThreads, 0, stream>>>(out, blocks, seed, source);
}

void launch_q4k_quantize(const float* x, BlockQ4K* out, int64_t blocks, cudaStream_t stream) {
  if (blocks > 0) quantize<<<grid(blocks), kThreads, 0, stream>>>(x, out, blocks);
}

}  // namespace qgemv::testing::detail
