#pragma once
// A Q4_K block's first 16 bytes (d, dmin, scales) as four words, and the 6-bit scale/min of a
// sub-block decoded from the words with shifts, so that no register array is indexed at run
// time (which would put it in local memory).
#include <cuda_fp16.h>

#include "kernels/formats/blocks.h"
#include "kernels/gemv/q4k_lane_dot.cuh"
#include "kernels/gemv/warp_reduce.cuh"

namespace qgemv::dev {

struct Q4KHeader {
  float d;
  float dmin;
  uint32_t s0, s1, s2;  // scales[0..3], scales[4..7], scales[8..11]
};

__device__ __forceinline__ Q4KHeader q4k_header(uint4 words) {
  return {half_bits_to_float(uint16_t(words.x & 0xFFFF)),
          half_bits_to_float(uint16_t(words.x >> 16)), words.y, words.z, words.w};
}

// Lanes 0..3 each load one word of the header; every lane gets all four by shuffle.
__device__ __forceinline__ Q4KHeader q4k_header_broadcast(const BlockQ4K& b, int lane) {
  const uint32_t mine = lane < 4 ? reinterpret_cast<const uint32_t*>(&b)[lane] : 0u;
  return q4k_header(make_uint4(__shfl_sync(kFullMask, mine, 0), __shfl_sync(kFullMask, mine, 1),
                               __shfl_sync(kFullMask, mine, 2), __shfl_sync(kFullMask, mine, 3)));
}

__device__ __forceinline__ ScaleMin q4k_scale_min(int j, const Q4KHeader& h) {
  const int shift = 8 * (j & 3);
  const uint32_t b0 = (h.s0 >> shift) & 0xFF, b1 = (h.s1 >> shift) & 0xFF;
  const uint32_t b2 = (h.s2 >> shift) & 0xFF;
  if (j < 4) return {uint8_t(b0 & 63), uint8_t(b1 & 63)};
  return {uint8_t((b2 & 0xF) | ((b0 >> 6) << 4)), uint8_t((b2 >> 4) | ((b1 >> 6) << 4))};
}

// Scales (low byte: sub-block 2g or 2g+4, high byte: the next) and mins of a lane's four
// sub-blocks, unpacked from the header words with one shift for both groups.
struct LaneScales {
  uint32_t sc_a, m_a;  // sub-blocks 2g, 2g+1
  uint32_t sc_b, m_b;  // sub-blocks 2g+4, 2g+5
};

__device__ __forceinline__ LaneScales lane_scales(const Q4KHeader& h, int g) {
  const int shift = 16 * g;
  const uint32_t a0 = h.s0 >> shift, a1 = h.s1 >> shift, a2 = h.s2 >> shift;
  return {a0 & 0x3F3Fu, a1 & 0x3F3Fu, (a2 & 0x0F0Fu) | ((a0 >> 2) & 0x3030u),
          ((a2 >> 4) & 0x0F0Fu) | ((a1 >> 2) & 0x3030u)};
}

// One sub-block's contribution with Q8_1 activations: d*sc*d8*sumi - dmin*m*s8.
__device__ __forceinline__ float q8_sub_block_term(const Q4KHeader& h, ScaleMin sm, int sumi,
                                                   float d8, float s8) {
  return (h.d * sm.scale) * d8 * float(sumi) - (h.dmin * sm.min) * s8;
}

}  // namespace qgemv::dev
