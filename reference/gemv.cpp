#include "reference/gemv.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "kernels/formats/fp16_bits.h"
#include "reference/parallel_rows.h"
#include "reference/q8_1.h"

namespace qgemv {
namespace {

void check_input_size(const Q4KMatrix& w, size_t values) {
  if (values != size_t(w.k))
    throw std::invalid_argument("input has " + std::to_string(values) + " values, k is " +
                                std::to_string(w.k));
}

ReferenceGemv zeroed(int64_t n) {
  return {Eigen::VectorXd::Zero(n), Eigen::VectorXd::Zero(n), Eigen::VectorXd::Zero(n),
          Eigen::VectorXd::Zero(n)};
}

// Bounds |s_a - s_b| for two f32 sums of the same 32 values in different orders, each then
// rounded to fp16: 2*gamma_31*sum|x| for the sums and one fp16 ulp for the final rounding.
double q8_sum_order_slack(std::span<const float> v, double s) {
  constexpr double u = 1.0 / (1 << 24);
  double abs_sum = 0;
  for (float e : v) abs_sum += std::fabs(e);
  const double gamma31 = 31 * u / (1 - 31 * u);
  return 2 * gamma31 * abs_sum + fp16_ulp(std::fabs(s) + 2 * gamma31 * abs_sum);
}

}  // namespace

ReferenceGemv reference_gemv_f32(const Q4KMatrix& w, std::span<const float> x) {
  check_input_size(w, x.size());
  ReferenceGemv r = zeroed(w.n);
  // Each weight is d*sc*q - dmin*m exactly as q4k_weight forms it (the products are exact in
  // double); only the order of the row's sum differs from a dot product, which the error model's
  // allowance for the reference's own rounding covers. Hoisting the sub-block scales makes this
  // several times faster than dequantizing each row first.
  parallel_rows(w.n, [&](int64_t row) {
    const auto blocks = w.row(row);
    double y = 0, mag = 0, abs_terms = 0;
    for (size_t b = 0; b < blocks.size(); ++b) {
      const BlockQ4K& blk = blocks[b];
      const double d = fp16_to_f32(blk.d), dmin = fp16_to_f32(blk.dmin);
      for (int j = 0; j < kSubBlocks; ++j) {
        const ScaleMin sm = q4k_scale_min(j, blk.scales);
        const double scale = d * sm.scale, offset = dmin * sm.min;
        const float* xs = x.data() + b * kQK + size_t(j) * kQ8Values;
        for (int i = 0; i < kQ8Values; ++i) {
          const int e = j * kQ8Values + i;
          const double scaled_q = scale * ((blk.qs[q4k_qs_index(e)] >> q4k_nibble_shift(e)) & 0xF);
          const double xv = xs[i];
          const double term = (scaled_q - offset) * xv;
          y += term;
          abs_terms += std::fabs(term);
          mag += (std::fabs(scaled_q) + std::fabs(offset)) * std::fabs(xv);
        }
      }
    }
    r.y[row] = y;
    r.magnitude[row] = mag;
    r.abs_terms[row] = abs_terms;
  });
  return r;
}

ReferenceGemv reference_gemv_q8(const Q4KMatrix& w, std::span<const BlockQ8_1> xq) {
  check_input_size(w, xq.size() * kQ8Values);
  ReferenceGemv r = zeroed(w.n);
  parallel_rows(w.n, [&](int64_t row) {
    const auto blocks = w.row(row);
    double y = 0, mag = 0;
    for (size_t b = 0; b < blocks.size(); ++b) {
      const BlockQ4K& blk = blocks[b];
      const double d = fp16_to_f32(blk.d), dmin = fp16_to_f32(blk.dmin);
      for (int j = 0; j < kSubBlocks; ++j) {
        const BlockQ8_1& a = xq[b * kSubBlocks + j];
        const ScaleMin sm = q4k_scale_min(j, blk.scales);
        long sumi = 0, sumi_abs = 0;
        for (int i = 0; i < kQ8Values; ++i) {
          const int e = j * kQ8Values + i;
          const int q4 = (blk.qs[q4k_qs_index(e)] >> q4k_nibble_shift(e)) & 0xF;
          sumi += long(q4) * a.qs[i];
          sumi_abs += std::labs(long(q4) * a.qs[i]);
        }
        const double d8 = fp16_to_f32(a.d), s8 = fp16_to_f32(a.s);
        const double scaled = d * sm.scale * d8, offset = dmin * sm.min * s8;
        y += scaled * double(sumi) - offset;
        mag += std::fabs(scaled) * double(sumi_abs) + std::fabs(offset);
      }
    }
    r.y[row] = y;
    r.magnitude[row] = mag;
  });
  return r;
}

ReferenceGemv reference_for_path(Path p, const Q4KMatrix& w, std::span<const float> x) {
  if (!path_uses_q8_numerics(p)) return reference_gemv_f32(w, x);
  check_input_size(w, x.size());
  const Q8Quantized xq = q8_1_quantize(x, p->q8_sum);
  if (xq.first_overflow >= 0)
    throw std::domain_error("input block " + std::to_string(xq.first_overflow) +
                            " overflows fp16 in Q8_1 (amax/127 or its sum >= 65520)");
  ReferenceGemv r = reference_gemv_q8(w, xq.blocks);
  if (p->arithmetic != Arithmetic::kQ8_1InKernel) return r;
  parallel_rows(w.n, [&](int64_t row) {
    const auto blocks = w.row(row);
    double slack = 0;
    for (size_t b = 0; b < blocks.size(); ++b)
      for (int j = 0; j < kSubBlocks; ++j) {
        const size_t qb = b * kSubBlocks + j;
        const double dm =
            std::fabs(double(fp16_to_f32(blocks[b].dmin)) * q4k_scale_min(j, blocks[b].scales).min);
        slack += dm * q8_sum_order_slack(x.subspan(qb * kQ8Values, kQ8Values),
                                         fp16_to_f32(xq.blocks[qb].s));
      }
    r.slack[row] = slack;
  });
  return r;
}

}  // namespace qgemv
