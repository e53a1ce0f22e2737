#pragma once
// Where the one-warp-per-row Q8 paths get 8 Q8_1 values of a sub-block and its d and s: from a
// Q8_1 buffer (q4k_q8), or by quantizing f32 input in registers with Q8_1 numerics (dp4a).
// Lanes 4j..4j+3 own sub-block j; lane r of the four holds values 8r..8r+7.
#include <cuda_fp16.h>

#include "kernels/formats/blocks.h"
#include "kernels/gemv/q4k_lane_dot.cuh"
#include "kernels/gemv/warp_reduce.cuh"
#include "kernels/launch/launch.h"

namespace qgemv::dev {

struct Q8Slice {
  int w0, w1;  // 8 int8 values, packed little-endian
  float d;     // fp16-rounded scale
  float s;     // fp16-rounded sum
};

struct Q8FromBuffer {
  const BlockQ8_1* __restrict__ xq;
  __device__ __forceinline__ Q8Slice operator()(int sub_block, int r) const {
    const BlockQ8_1& a = xq[sub_block];
    const int* qs = reinterpret_cast<const int*>(a.qs) + 2 * r;
    return {qs[0], qs[1], half_bits_to_float(a.d), half_bits_to_float(a.s)};
  }
};

__device__ __forceinline__ int pack_q8(float a, float b, float c, float e, float amax, float d) {
  auto q = [&](float v) { return uint32_t(amax == 0.0f ? 0 : int(roundf(v / d))) & 0xFFu; };
  return int(q(a) | (q(b) << 8) | (q(c) << 16) | (q(e) << 24));
}

__device__ __forceinline__ float round_to_half(float v) { return __half2float(__float2half_rn(v)); }

struct Q8FromF32 {
  const float* __restrict__ x;
  unsigned* status;
  __device__ __forceinline__ Q8Slice operator()(int sub_block, int r) const {
    const float4* p = reinterpret_cast<const float4*>(x + sub_block * kQ8Values + 8 * r);
    const float4 a = p[0], b = p[1];
    float amax = fmaxf(fmaxf(fmaxf(fabsf(a.x), fabsf(a.y)), fmaxf(fabsf(a.z), fabsf(a.w))),
                       fmaxf(fmaxf(fabsf(b.x), fabsf(b.y)), fmaxf(fabsf(b.z), fabsf(b.w))));
    amax = lanes_max<4>(amax);
    const float sum = lanes_sum<4>(((a.x + a.y) + (a.z + a.w)) + ((b.x + b.y) + (b.z + b.w)));
    const float d = amax / 127.0f;
    const Q8Slice s{pack_q8(a.x, a.y, a.z, a.w, amax, d), pack_q8(b.x, b.y, b.z, b.w, amax, d),
                    round_to_half(d), round_to_half(sum)};
    if (status != nullptr && r == 0 && !(isfinite(s.d) && isfinite(s.s)))
      atomicOr(status, kStatusQ8Overflow);
    return s;
  }
};

}  // namespace qgemv::dev
