// Block formats: sizes and offsets are static_asserts in blocks.h; here the 6-bit scale/min
// packing and the fp16 conversion the reference shares with the kernels.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <cstring>

#include "kernels/formats/blocks.h"
#include "kernels/formats/fp16_bits.h"

namespace qgemv {
namespace {

// Every (scale, min) pair in every sub-block position, the other seven drawn at random.
TEST(ScaleMinPacking, RoundTripsAll64x64PairsInEveryPosition) {
  uint32_t lcg = 12345;
  auto next6 = [&] { return uint8_t((lcg = lcg * 1664525u + 1013904223u) >> 26); };
  for (int j = 0; j < kSubBlocks; ++j)
    for (int sc = 0; sc < 64; ++sc)
      for (int m = 0; m < 64; ++m) {
        uint8_t scales[8], mins[8], packed[12];
        for (int t = 0; t < 8; ++t) scales[t] = next6(), mins[t] = next6();
        scales[j] = uint8_t(sc), mins[j] = uint8_t(m);
        q4k_pack_scale_min(scales, mins, packed);
        for (int t = 0; t < 8; ++t) {
          const ScaleMin got = q4k_scale_min(t, packed);
          ASSERT_EQ(got.scale, scales[t]) << "j=" << j << " t=" << t;
          ASSERT_EQ(got.min, mins[t]) << "j=" << j << " t=" << t;
        }
      }
}

// The design's formula, written out independently, agrees with the unpacking on random bytes.
RC_GTEST_PROP(ScaleMinPacking, UnpackMatchesDesignFormula, (std::array<uint8_t, 12> s)) {
  for (int j = 0; j < 8; ++j) {
    const ScaleMin got = q4k_scale_min(j, s.data());
    const int sc = j < 4 ? s[j] & 63 : (s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4);
    const int m = j < 4 ? s[j + 4] & 63 : (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
    RC_ASSERT(int(got.scale) == sc);
    RC_ASSERT(int(got.min) == m);
  }
}

TEST(Fp16, EveryHalfRoundTripsThroughFloat) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = fp16_to_f32(uint16_t(h));
    if (std::isnan(f)) continue;
    ASSERT_EQ(f32_to_fp16_rn(f), h) << std::hex << h;
  }
}

// GCC's _Float16 is an independent IEEE round-to-nearest-even conversion.
RC_GTEST_PROP(Fp16, FloatToHalfMatchesCompiler, (uint32_t bits)) {
  const float f = f32_from_bits(bits);
  RC_PRE(!std::isnan(f));
  const _Float16 h = static_cast<_Float16>(f);
  uint16_t expect;
  std::memcpy(&expect, &h, 2);
  RC_ASSERT(f32_to_fp16_rn(f) == expect);
}

TEST(Fp16, RoundingEdges) {
  for (float f : {65504.0f, 65519.99f, 65520.0f, 6.1035156e-05f, 5.9604645e-08f, 2.9802322e-08f,
                  2.9802326e-08f, 1.0009766f, 1.0004883f, 1.0014648f, -0.0f}) {
    const _Float16 h = static_cast<_Float16>(f);
    uint16_t expect;
    std::memcpy(&expect, &h, 2);
    EXPECT_EQ(f32_to_fp16_rn(f), expect) << f;
  }
}

}  // namespace
}  // namespace qgemv
