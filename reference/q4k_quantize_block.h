#pragma once
// One Q4_K block from 256 floats (the method of q4k_quantize.h), written once for the host
// reference and the GPU case generator (harness/verify/gpu_case.cu). Built without fused
// multiply-add on both sides (the GPU file with --fmad=false), the two agree bit for bit on the
// same floats, which properties/gpu checks.
#include <math.h>

#include "kernels/formats/blocks.h"
#include "kernels/formats/fp16_bits.h"

namespace qgemv::q4k_detail {

inline constexpr int kLevels = 15;
inline constexpr int kSub = 32;

QGEMV_HD int nearest_int(float v) { return int(lrintf(v)); }
QGEMV_HD int clamp_int(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

struct SubBlockFit {
  float scale = 0;
  float offset = 0;  // value = scale * l - offset
};

QGEMV_HD float weighted_sq_error(const float* x, const float* w, const uint8_t* l, float scale,
                                 float minv) {
  float err = 0;
  for (int i = 0; i < kSub; ++i) {
    const float diff = scale * l[i] + minv - x[i];
    err += w[i] * diff * diff;
  }
  return err;
}

QGEMV_HD void fit_grid(const float* x, float lo, float iscale, uint8_t* out) {
  for (int i = 0; i < kSub; ++i)
    out[i] = uint8_t(clamp_int(nearest_int(iscale * (x[i] - lo)), 0, kLevels));
}

// Weighted least-squares fit of x ~ scale*l + minv (minv <= 0) over candidate grids.
QGEMV_HD SubBlockFit fit_sub_block(const float* x, const float* w) {
  float lo = x[0], hi = x[0];
  for (int i = 1; i < kSub; ++i) {
    lo = x[i] < lo ? x[i] : lo;
    hi = x[i] > hi ? x[i] : hi;
  }
  lo = lo < 0.0f ? lo : 0.0f;
  if (hi == lo) return {0.0f, -lo};

  uint8_t l[kSub] = {}, cand[kSub] = {};
  float sum_w = 0, sum_x = 0;
  for (int i = 0; i < kSub; ++i) sum_w += w[i], sum_x += w[i] * x[i];

  float scale = (hi - lo) / kLevels, minv = lo;
  fit_grid(x, lo, kLevels / (hi - lo), l);
  float best = weighted_sq_error(x, w, l, scale, minv);

  constexpr float kRmin = -1.0f, kRdelta = 0.1f;
  constexpr int kSteps = 20;
  for (int step = 0; step <= kSteps; ++step) {
    fit_grid(x, lo, (kRmin + kRdelta * step + kLevels) / (hi - lo), cand);
    float sl = 0, sl2 = 0, sxl = 0;
    for (int i = 0; i < kSub; ++i) {
      sl += w[i] * cand[i];
      sl2 += w[i] * cand[i] * cand[i];
      sxl += w[i] * cand[i] * x[i];
    }
    const float det = sum_w * sl2 - sl * sl;
    if (det <= 0) continue;
    float s = (sum_w * sxl - sum_x * sl) / det;
    float m = (sl2 * sum_x - sl * sxl) / det;
    if (m > 0) m = 0, s = sxl / sl2;
    const float err = weighted_sq_error(x, w, cand, s, m);
    if (err < best) {
      best = err, scale = s, minv = m;
      for (int i = 0; i < kSub; ++i) l[i] = cand[i];
    }
  }
  return {scale, -minv};
}

QGEMV_HD void quantize_block(const float* x, BlockQ4K& out) {
  SubBlockFit fit[kSubBlocks];
  float max_scale = 0, max_offset = 0;
  for (int j = 0; j < kSubBlocks; ++j) {
    const float* xs = x + j * kSub;
    float sum_x2 = 0;
    for (int i = 0; i < kSub; ++i) sum_x2 += xs[i] * xs[i];
    const float rms = sqrtf(sum_x2 / kSub);
    float w[kSub];
    for (int i = 0; i < kSub; ++i) w[i] = rms + fabsf(xs[i]);
    fit[j] = fit_sub_block(xs, w);
    max_scale = fit[j].scale > max_scale ? fit[j].scale : max_scale;
    max_offset = fit[j].offset > max_offset ? fit[j].offset : max_offset;
  }
  const float inv_scale = max_scale > 0 ? 63.0f / max_scale : 0.0f;
  const float inv_offset = max_offset > 0 ? 63.0f / max_offset : 0.0f;
  uint8_t sc[kSubBlocks], mn[kSubBlocks];
  for (int j = 0; j < kSubBlocks; ++j) {
    sc[j] = uint8_t(clamp_int(nearest_int(inv_scale * fit[j].scale), 0, 63));
    mn[j] = uint8_t(clamp_int(nearest_int(inv_offset * fit[j].offset), 0, 63));
  }
  q4k_pack_scale_min(sc, mn, out.scales);
  out.d = f32_to_fp16_rn(max_scale / 63.0f);
  out.dmin = f32_to_fp16_rn(max_offset / 63.0f);

  const float d = fp16_to_f32(out.d), dmin = fp16_to_f32(out.dmin);
  for (int i = 0; i < kQK / 2; ++i) out.qs[i] = 0;
  for (int i = 0; i < kQK; ++i) {
    const ScaleMin sm = q4k_scale_min(i / kSub, out.scales);
    const float step = d * sm.scale;
    const int q = step == 0.0f ? 0 : clamp_int(nearest_int((x[i] + dmin * sm.min) / step), 0, 15);
    out.qs[q4k_qs_index(i)] |= uint8_t(q << q4k_nibble_shift(i));
  }
}

}  // namespace qgemv::q4k_detail
