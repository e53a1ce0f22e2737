#pragma once
// Reference GEMVs in double. Each returns the exact answer of a path's arithmetic together
// with the magnitude in which that path's rounding error is bounded (reference/ERROR_MODEL.md).
#include <Eigen/Core>
#include <span>

#include "kernels/formats/blocks.h"
#include "kernels/launch/gemv_path.h"
#include "reference/q4k_matrix.h"

namespace qgemv {

struct ReferenceGemv {
  Eigen::VectorXd y;          // the answer, per output row
  Eigen::VectorXd magnitude;  // sum of |summands| of each row, the unit of the error bound
  Eigen::VectorXd slack;      // absolute allowance for documented non-determinism, else zero
  Eigen::VectorXd abs_terms;  // sum of |w_i x_i| (reference_gemv_f32; else zero), the scale of
                              // accuracy statistics (harness/verify/accuracy.h)
};

// y = W x with W dequantized exactly; for the f32-input paths (q4k, tiled, chunked, mwv).
ReferenceGemv reference_gemv_f32(const Q4KMatrix& w, std::span<const float> x);

// Exact model of Q4_K x Q8_1 with DP4A: per 32-value sub-block j of a block, the integer
// sumi_j = sum q4*q8, and y = sum over sub-blocks of d*sc_j*d8_j*sumi_j - dmin*m_j*s8_j.
ReferenceGemv reference_gemv_q8(const Q4KMatrix& w, std::span<const BlockQ8_1> xq);

// The reference a path is checked against, from f32 input x: paths with Q8_1 numerics quantize
// x first (q8_1_quantize, which the GPU quantizer matches bit for bit). The dp4a path sums s in
// its own order, so its reference carries slack for one differently rounded s per sub-block.
// Throws std::domain_error if x cannot be represented in Q8_1 on such a path.
ReferenceGemv reference_for_path(Path p, const Q4KMatrix& w, std::span<const float> x);

}  // namespace qgemv
