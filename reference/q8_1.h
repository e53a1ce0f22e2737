#pragma once
// Q8_1 activations exactly as the design specifies: d = amax/127 (f32 division),
// q = amax == 0 ? 0 : roundf(x/d), s = sum of the 32 original values. The sum is taken in f32
// in the order of a warp's xor-butterfly (offsets 16, 8, 4, 2, 1), the order the GPU quantizer
// uses, so that CPU and GPU agree bit for bit. With Q8Sum::kScaledSumOfQ, s = d * sum q in f32
// (the integer sum is exact in any order).
#include <Eigen/Core>
#include <span>
#include <vector>

#include "kernels/formats/blocks.h"

namespace qgemv {

struct Q8Quantized {
  std::vector<BlockQ8_1> blocks;
  // First block whose d or s is not finite once stored as fp16 (|d| or |s| >= 65520), or -1.
  // Such an input cannot be represented in Q8_1; every user must treat it as an error.
  long first_overflow = -1;
};

// Quantizes x; a final partial block is padded with zeros.
Q8Quantized q8_1_quantize(std::span<const float> x, Q8Sum sum = Q8Sum::kSumOfX);

// The stored values d*q, in double.
Eigen::VectorXd q8_1_dequantize(std::span<const BlockQ8_1> blocks);

// The butterfly-order f32 sum that defines s.
float q8_1_block_sum(const float v[kQ8Values]);

// Converts between the executor's layout and ggml's block_q8_1.
GgmlBlockQ8_1 to_ggml(const BlockQ8_1& b);
BlockQ8_1 from_ggml(const GgmlBlockQ8_1& b);

}  // namespace qgemv
