#pragma once
// The two quantized block formats, shared by host and device code. Q4_K is byte-compatible with
// GGUF/ggml block_q4_K; Q8_1 follows the executor's layout (qs first, then d and s).
#include <cstddef>
#include <cstdint>

#include "kernels/formats/host_device.h"

namespace qgemv {

inline constexpr int kQK = 256;         // weights per Q4_K block
inline constexpr int kQ8Values = 32;    // values per Q8_1 block
inline constexpr int kSubBlocks = 8;    // 32-value sub-blocks per Q4_K block
inline constexpr int kScaleBytes = 12;  // packed 6-bit scales and mins

struct BlockQ4K {
  uint16_t d;     // fp16 super-block scale
  uint16_t dmin;  // fp16 super-block min scale
  uint8_t scales[kScaleBytes];
  uint8_t qs[kQK / 2];
};
static_assert(sizeof(BlockQ4K) == 144);
static_assert(offsetof(BlockQ4K, d) == 0);
static_assert(offsetof(BlockQ4K, dmin) == 2);
static_assert(offsetof(BlockQ4K, scales) == 4);
static_assert(offsetof(BlockQ4K, qs) == 16);
static_assert(alignof(BlockQ4K) == 2);

struct BlockQ8_1 {
  int8_t qs[kQ8Values];
  uint16_t d;  // fp16 amax / 127
  uint16_t s;  // fp16 sum of the block (Q8Sum says which)
};

// What a Q8_1 block's s holds. ggml's CUDA quantizer (and qgemv's q8_quantize) stores the sum
// of the 32 original values; ggml's CPU reference quantizer stores d * sum q, the sum of the
// values the block actually represents, which makes a Q4_K x Q8_1 dot product's offset term
// see the same input as its scaled term (more accurate on every generated distribution:
// results/cpu/q8-conventions.md).
enum class Q8Sum { kSumOfX, kScaledSumOfQ };
static_assert(sizeof(BlockQ8_1) == 36);
static_assert(offsetof(BlockQ8_1, qs) == 0);
static_assert(offsetof(BlockQ8_1, d) == 32);
static_assert(offsetof(BlockQ8_1, s) == 34);

// ggml's block_q8_1 stores {d, s} first; tests convert between the two layouts with these.
struct GgmlBlockQ8_1 {
  uint16_t d;
  uint16_t s;
  int8_t qs[kQ8Values];
};
static_assert(sizeof(GgmlBlockQ8_1) == 36);

struct ScaleMin {
  uint8_t scale;
  uint8_t min;
};

// Unpacks the 6-bit scale and min of sub-block j (0..7), as ggml's get_scale_min_k4.
QGEMV_HD ScaleMin q4k_scale_min(int j, const uint8_t* s) {
  if (j < 4) return {uint8_t(s[j] & 63), uint8_t(s[j + 4] & 63)};
  return {uint8_t((s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4)),
          uint8_t((s[j + 4] >> 4) | ((s[j] >> 6) << 4))};
}

// Inverse of q4k_scale_min for all eight sub-blocks; values must be < 64.
QGEMV_HD void q4k_pack_scale_min(const uint8_t scale[8], const uint8_t min[8], uint8_t out[12]) {
  for (int j = 0; j < 4; ++j) {
    out[j] = uint8_t((scale[j] & 63) | ((scale[j + 4] >> 4) << 6));
    out[j + 4] = uint8_t((min[j] & 63) | ((min[j + 4] >> 4) << 6));
    out[j + 8] = uint8_t((scale[j + 4] & 0xF) | ((min[j + 4] & 0xF) << 4));
  }
}

// Position of weight i (0..255) of a block in qs and which nibble holds it: 64-value group g
// uses qs[32g..32g+31], low nibbles for sub-block 2g and high nibbles for sub-block 2g+1.
QGEMV_HD int q4k_qs_index(int i) { return 32 * (i / 64) + (i % 32); }
QGEMV_HD int q4k_nibble_shift(int i) { return (i % 64) < 32 ? 0 : 4; }

}  // namespace qgemv
