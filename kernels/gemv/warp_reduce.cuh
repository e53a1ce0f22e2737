#pragma once
// Butterfly reductions over lanes. The xor order (16, 8, 4, 2, 1) is part of the Q8_1
// contract: reference/q8_1.cpp sums s in the same order.
#include <cuda_runtime.h>

namespace qgemv::dev {

inline constexpr unsigned kFullMask = 0xffffffffu;

template <int Width = 32, typename T>
__device__ __forceinline__ T lanes_sum(T v) {
#pragma unroll
  for (int off = Width / 2; off > 0; off /= 2) v += __shfl_xor_sync(kFullMask, v, off);
  return v;
}

template <int Width = 32>
__device__ __forceinline__ float lanes_max(float v) {
#pragma unroll
  for (int off = Width / 2; off > 0; off /= 2) v = fmaxf(v, __shfl_xor_sync(kFullMask, v, off));
  return v;
}

}  // namespace qgemv::dev
