#pragma once
// Float -> Q4_K, to make realistic weights from float matrices. The method is ggml's
// (quantize_row_q4_K_ref with make_qkx2_quants), rewritten:
//  1. per 32-value sub-block, fit scale s and offset m >= 0 so that x ~ s*l - m, l in 0..15,
//     by weighted least squares over 21 candidate grids (weights |x| + rms(x), so large values
//     fit best), keeping the fit of least weighted squared error;
//  2. quantize the eight scales and eight offsets to 6 bits against the block's largest ones
//     (d = max_scale/63, dmin = max_offset/63, both stored as fp16);
//  3. re-quantize every value to the nearest level of the final grid, clamped to 0..15.
// The error this leaves is stated and tested in properties/cpu/q4k_quantize_test.cpp.
#include <span>

#include "reference/q4k_matrix.h"

namespace qgemv {

// Quantizes 256 * out.size() values.
void q4k_quantize_row(std::span<const float> x, std::span<BlockQ4K> out);

// Quantizes an n x k row-major float matrix.
Q4KMatrix q4k_quantize(std::span<const float> x, int64_t n, int64_t k);

}  // namespace qgemv
