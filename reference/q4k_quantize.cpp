#include "reference/q4k_quantize.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "kernels/formats/fp16_bits.h"
#include "reference/parallel_rows.h"

namespace qgemv {
namespace {

constexpr int kLevels = 15;
constexpr int kSub = 32;

int nearest_int(float v) { return int(std::lrintf(v)); }

struct SubBlockFit {
  float scale = 0;
  float offset = 0;  // value = scale * l - offset
};

float weighted_sq_error(std::span<const float> x, std::span<const float> w,
                        std::span<const uint8_t> l, float scale, float minv) {
  float err = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const float diff = scale * l[i] + minv - x[i];
    err += w[i] * diff * diff;
  }
  return err;
}

// Weighted least-squares fit of x ~ scale*l + minv (minv <= 0) over candidate grids.
SubBlockFit fit_sub_block(std::span<const float> x, std::span<const float> w) {
  float lo = *std::min_element(x.begin(), x.end());
  const float hi = *std::max_element(x.begin(), x.end());
  lo = std::min(lo, 0.0f);
  if (hi == lo) return {0.0f, -lo};

  std::array<uint8_t, kSub> l{}, cand{};
  float sum_w = 0, sum_x = 0;
  for (int i = 0; i < kSub; ++i) sum_w += w[i], sum_x += w[i] * x[i];

  auto grid = [&](float iscale, std::array<uint8_t, kSub>& out) {
    for (int i = 0; i < kSub; ++i)
      out[i] = uint8_t(std::clamp(nearest_int(iscale * (x[i] - lo)), 0, kLevels));
  };
  float scale = (hi - lo) / kLevels, minv = lo;
  grid(kLevels / (hi - lo), l);
  float best = weighted_sq_error(x, w, l, scale, minv);

  constexpr float kRmin = -1.0f, kRdelta = 0.1f;
  constexpr int kSteps = 20;
  for (int step = 0; step <= kSteps; ++step) {
    grid((kRmin + kRdelta * step + kLevels) / (hi - lo), cand);
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
    if (err < best) best = err, scale = s, minv = m, l = cand;
  }
  return {scale, -minv};
}

void quantize_block(std::span<const float> x, BlockQ4K& out) {
  std::array<SubBlockFit, kSubBlocks> fit{};
  float max_scale = 0, max_offset = 0;
  for (int j = 0; j < kSubBlocks; ++j) {
    const auto xs = x.subspan(size_t(j) * kSub, kSub);
    float sum_x2 = 0;
    for (float v : xs) sum_x2 += v * v;
    const float rms = std::sqrt(sum_x2 / kSub);
    std::array<float, kSub> w{};
    for (int i = 0; i < kSub; ++i) w[i] = rms + std::fabs(xs[i]);
    fit[j] = fit_sub_block(xs, w);
    max_scale = std::max(max_scale, fit[j].scale);
    max_offset = std::max(max_offset, fit[j].offset);
  }
  const float inv_scale = max_scale > 0 ? 63.0f / max_scale : 0.0f;
  const float inv_offset = max_offset > 0 ? 63.0f / max_offset : 0.0f;
  std::array<uint8_t, kSubBlocks> sc{}, mn{};
  for (int j = 0; j < kSubBlocks; ++j) {
    sc[j] = uint8_t(std::clamp(nearest_int(inv_scale * fit[j].scale), 0, 63));
    mn[j] = uint8_t(std::clamp(nearest_int(inv_offset * fit[j].offset), 0, 63));
  }
  q4k_pack_scale_min(sc.data(), mn.data(), out.scales);
  out.d = f32_to_fp16_rn(max_scale / 63.0f);
  out.dmin = f32_to_fp16_rn(max_offset / 63.0f);

  const float d = fp16_to_f32(out.d), dmin = fp16_to_f32(out.dmin);
  std::fill(std::begin(out.qs), std::end(out.qs), uint8_t(0));
  for (int i = 0; i < kQK; ++i) {
    const ScaleMin sm = q4k_scale_min(i / kSub, out.scales);
    const float step = d * sm.scale;
    const int q = step == 0.0f ? 0 : std::clamp(nearest_int((x[i] + dmin * sm.min) / step), 0, 15);
    out.qs[q4k_qs_index(i)] |= uint8_t(q << q4k_nibble_shift(i));
  }
}

}  // namespace

void q4k_quantize_row(std::span<const float> x, std::span<BlockQ4K> out) {
  for (size_t b = 0; b < out.size(); ++b) quantize_block(x.subspan(b * kQK, kQK), out[b]);
}

Q4KMatrix q4k_quantize(std::span<const float> x, int64_t n, int64_t k) {
  check_shape(n, k);
  if (x.size() != size_t(n * k)) throw std::invalid_argument("q4k_quantize: x has wrong size");
  Q4KMatrix m{n, k, std::vector<BlockQ4K>(size_t(n * (k / kQK)))};
  parallel_rows(
      n, [&](int64_t r) { q4k_quantize_row(x.subspan(size_t(r * k), size_t(k)), m.row(r)); });
  return m;
}

}  // namespace qgemv
