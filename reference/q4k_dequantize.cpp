#include "reference/q4k_dequantize.h"

#include <cmath>

#include "kernels/formats/fp16_bits.h"

namespace qgemv {
namespace {

struct WeightParts {
  double scaled_q;  // d * sc * q
  double offset;    // dmin * m
};

WeightParts q4k_weight_parts(const BlockQ4K& b, int i) {
  const ScaleMin sm = q4k_scale_min(i / 32, b.scales);
  const int q = (b.qs[q4k_qs_index(i)] >> q4k_nibble_shift(i)) & 0xF;
  return {double(fp16_to_f32(b.d)) * sm.scale * q, double(fp16_to_f32(b.dmin)) * sm.min};
}

}  // namespace

double q4k_weight(const BlockQ4K& b, int i) {
  const WeightParts p = q4k_weight_parts(b, i);
  return p.scaled_q - p.offset;
}

Eigen::VectorXd q4k_dequantize_row(std::span<const BlockQ4K> blocks) {
  Eigen::VectorXd out(Eigen::Index(blocks.size()) * kQK);
  for (size_t b = 0; b < blocks.size(); ++b)
    for (int i = 0; i < kQK; ++i) out[Eigen::Index(b * kQK + i)] = q4k_weight(blocks[b], i);
  return out;
}

Eigen::VectorXd q4k_magnitude_row(std::span<const BlockQ4K> blocks) {
  Eigen::VectorXd out(Eigen::Index(blocks.size()) * kQK);
  for (size_t b = 0; b < blocks.size(); ++b)
    for (int i = 0; i < kQK; ++i) {
      const WeightParts p = q4k_weight_parts(blocks[b], i);
      out[Eigen::Index(b * kQK + i)] = std::abs(p.scaled_q) + std::abs(p.offset);
    }
  return out;
}

}  // namespace qgemv
