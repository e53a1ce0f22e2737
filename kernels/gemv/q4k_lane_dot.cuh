#pragma once
// One lane's share of a Q4_K block against 256 f32 inputs, for the one-warp-per-row paths
// (q4k, tiled, chunked): lane l takes qs[32g + 4(l%8) ..+3] with g = l/8, i.e. four values of
// sub-block 2g (low nibbles) and the four values 32 further on of sub-block 2g+1 (high nibbles).
#include <cuda_fp16.h>

#include "kernels/formats/blocks.h"

namespace qgemv::dev {

__device__ __forceinline__ float half_bits_to_float(uint16_t h) {
  return __half2float(__ushort_as_half(h));
}

// Sum of q*x and of x over four nibbles (shift 0 or 4) of a packed word.
struct NibbleSums {
  float qx;
  float x;
};
__device__ __forceinline__ NibbleSums nibble_dot4(uint32_t q, int shift, float4 x) {
  const float q0 = float((q >> shift) & 0xF), q1 = float((q >> (shift + 8)) & 0xF);
  const float q2 = float((q >> (shift + 16)) & 0xF), q3 = float((q >> (shift + 24)) & 0xF);
  return {q0 * x.x + q1 * x.y + q2 * x.z + q3 * x.w, x.x + x.y + x.z + x.w};
}

// xb points at the block's 256 inputs (global or shared memory, 16-byte aligned).
__device__ __forceinline__ float q4k_lane_dot(const BlockQ4K& b, const float* xb, int lane) {
  const int g = lane >> 3, i0 = (lane & 7) * 4;
  const uint32_t q = *reinterpret_cast<const uint32_t*>(b.qs + 32 * g + i0);
  const NibbleSums lo = nibble_dot4(q, 0, *reinterpret_cast<const float4*>(xb + 64 * g + i0));
  const NibbleSums hi = nibble_dot4(q, 4, *reinterpret_cast<const float4*>(xb + 64 * g + 32 + i0));
  const ScaleMin slo = q4k_scale_min(2 * g, b.scales), shi = q4k_scale_min(2 * g + 1, b.scales);
  const float d = half_bits_to_float(b.d), dmin = half_bits_to_float(b.dmin);
  return (d * slo.scale) * lo.qx - (dmin * slo.min) * lo.x + (d * shi.scale) * hi.qx -
         (dmin * shi.min) * hi.x;
}

// Adds this lane's share of `blocks` consecutive blocks of a row to acc, in block order.
__device__ __forceinline__ float q4k_lane_dot_blocks(float acc, const BlockQ4K* wr, const float* x,
                                                     int blocks, int lane) {
  for (int b = 0; b < blocks; ++b) acc += q4k_lane_dot(wr[b], x + b * kQK, lane);
  return acc;
}

// The CTA copies `count` floats (a multiple of 4, both pointers 16-byte aligned) to shared
// memory. The caller synchronises.
__device__ __forceinline__ void cta_copy_f32(float* dst, const float* src, int count) {
  const float4* s4 = reinterpret_cast<const float4*>(src);
  for (int i = threadIdx.x; i < count / 4; i += blockDim.x)
    reinterpret_cast<float4*>(dst)[i] = s4[i];
}

}  // namespace qgemv::dev
