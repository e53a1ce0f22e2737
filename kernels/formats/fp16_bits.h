#pragma once
// IEEE binary16 <-> binary32 conversion on raw bits. The host reference must round exactly as
// the device's __float2half_rn does (round to nearest even, subnormals kept, overflow to inf),
// because Q8_1 scales are compared bit for bit between CPU and GPU.
#include <cstdint>
#include <cstring>

#include "kernels/formats/host_device.h"

namespace qgemv {

QGEMV_HD uint32_t f32_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}

QGEMV_HD float f32_from_bits(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

QGEMV_HD float fp16_to_f32(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1Fu;
  const uint32_t man = h & 0x3FFu;
  if (exp == 0x1F) return f32_from_bits(sign | 0x7F800000u | (man << 13));
  if (exp != 0) return f32_from_bits(sign | ((exp + 112u) << 23) | (man << 13));
  // Subnormal: man * 2^-24 is exact in binary32.
  const float mag = float(man) * 5.9604644775390625e-8f;
  return sign ? -mag : mag;
}

QGEMV_HD uint16_t f32_to_fp16_rn(float f) {
  const uint32_t u = f32_bits(f);
  const uint16_t sign = uint16_t((u >> 16) & 0x8000u);
  const uint32_t abs = u & 0x7FFFFFFFu;
  if (abs >= 0x7F800000u) {  // inf or NaN
    return uint16_t(sign | 0x7C00u | (abs > 0x7F800000u ? 0x200u | ((abs >> 13) & 0x3FFu) : 0u));
  }
  if (abs >= 0x477FF000u) return uint16_t(sign | 0x7C00u);  // rounds to >= 65520: overflow
  if (abs >= 0x38800000u) {                                 // normal half
    const uint32_t mant = abs & 0x7FFFFFu;
    const uint32_t exp = (abs >> 23) - 112u;
    uint32_t h = (exp << 10) | (mant >> 13);
    const uint32_t rest = mant & 0x1FFFu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;  // carry into exponent is correct
    return uint16_t(sign | h);
  }
  if (abs < 0x33000000u) return sign;  // below half the smallest subnormal: rounds to zero
  // Subnormal half: value = m * 2^-24 with m < 1024.
  const uint32_t exp = abs >> 23;
  const uint32_t mant = (abs & 0x7FFFFFu) | 0x800000u;
  const uint32_t shift = 126u - exp;  // 14..24
  uint32_t h = mant >> shift;
  const uint32_t rest = mant & ((1u << shift) - 1u);
  const uint32_t half = 1u << (shift - 1u);
  if (rest > half || (rest == half && (h & 1u))) ++h;
  return uint16_t(sign | h);
}

// Distance from |v| to the next larger binary16 value; the unit in which stored Q8_1 sums may
// differ between two correct implementations.
inline double fp16_ulp(double v) {
  double a = v < 0 ? -v : v;
  if (a < 6.103515625e-05) return 5.9604644775390625e-08;
  int e = 0;
  while (a >= 2.0) a /= 2.0, ++e;
  while (a < 1.0) a *= 2.0, --e;
  double ulp = 1.0 / 1024.0;
  for (int i = 0; i < e; ++i) ulp *= 2.0;
  for (int i = 0; i > e; --i) ulp /= 2.0;
  return ulp;
}

}  // namespace qgemv
