#include "reference/q8_1.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/formats/fp16_bits.h"

namespace qgemv {

float q8_1_block_sum(const float v[kQ8Values]) {
  float lane[kQ8Values];
  std::copy(v, v + kQ8Values, lane);
  for (int off = kQ8Values / 2; off > 0; off /= 2) {
    float next[kQ8Values];
    for (int i = 0; i < kQ8Values; ++i) next[i] = lane[i] + lane[i ^ off];
    std::copy(next, next + kQ8Values, lane);
  }
  return lane[0];
}

Q8Quantized q8_1_quantize(std::span<const float> x, Q8Sum sum) {
  Q8Quantized out;
  const size_t nb = (x.size() + kQ8Values - 1) / kQ8Values;
  out.blocks.resize(nb);
  for (size_t b = 0; b < nb; ++b) {
    float v[kQ8Values] = {};
    for (int i = 0; i < kQ8Values && b * kQ8Values + i < x.size(); ++i) v[i] = x[b * kQ8Values + i];
    float amax = 0;
    for (float e : v) amax = std::max(amax, std::fabs(e));
    const float d = amax / 127.0f;
    BlockQ8_1& blk = out.blocks[b];
    for (int i = 0; i < kQ8Values; ++i)
      blk.qs[i] = int8_t(amax == 0 ? 0.0f : std::roundf(v[i] / d));
    blk.d = f32_to_fp16_rn(d);
    int sum_q = 0;
    for (int8_t q : blk.qs) sum_q += q;
    blk.s = f32_to_fp16_rn(sum == Q8Sum::kScaledSumOfQ ? d * float(sum_q) : q8_1_block_sum(v));
    const bool finite = std::isfinite(fp16_to_f32(blk.d)) && std::isfinite(fp16_to_f32(blk.s));
    if (!finite && out.first_overflow < 0) out.first_overflow = long(b);
  }
  return out;
}

Eigen::VectorXd q8_1_dequantize(std::span<const BlockQ8_1> blocks) {
  Eigen::VectorXd out(Eigen::Index(blocks.size()) * kQ8Values);
  for (size_t b = 0; b < blocks.size(); ++b) {
    const double d = fp16_to_f32(blocks[b].d);
    for (int i = 0; i < kQ8Values; ++i) out[Eigen::Index(b * kQ8Values + i)] = d * blocks[b].qs[i];
  }
  return out;
}

GgmlBlockQ8_1 to_ggml(const BlockQ8_1& b) {
  GgmlBlockQ8_1 g{b.d, b.s, {}};
  std::memcpy(g.qs, b.qs, sizeof g.qs);
  return g;
}

BlockQ8_1 from_ggml(const GgmlBlockQ8_1& g) {
  BlockQ8_1 b{{}, g.d, g.s};
  std::memcpy(b.qs, g.qs, sizeof b.qs);
  return b;
}

}  // namespace qgemv
