#pragma once
// The two conventions for the s of a Q8_1 block, compared on every generated case. ggml's CUDA
// quantizer (and qgemv's) stores s as the sum of the 32 original values; ggml's CPU reference
// quantizer stores d times the sum of the quantized values, s = d * sum q. A Q4_K x Q8_1 dot
// product subtracts dmin * m * s per sub-block; with s = d * sum q that offset is the exact
// product of the weights' offsets with the same quantized input the scaled part uses, with
// s = sum x the two parts see different inputs. Which is closer to the exact product of the
// unquantized input is measured, not assumed: each convention's exact arithmetic
// (reference_gemv_q8, no rounding of its own) goes into the accuracy table as a row of its own.
#include <vector>

#include "harness/verify/accuracy.h"
#include "reference/gemv.h"
#include "reference/q4k_matrix.h"

namespace qgemv {

inline constexpr const char* kQ8SumOfX = "Q8_1 exact arithmetic, s = sum x";
inline constexpr const char* kQ8DTimesSumQ = "Q8_1 exact arithmetic, s = d * sum q";

// Adds both conventions' rows for one case (nothing if x overflows Q8_1), measured against
// `exact`, the case's reference_gemv_f32 (which the caller has: verify checks f32 paths on it).
// `sum_of_x` and `d_sum_q`, where the caller has them, are reference_gemv_q8 on
// q8_1_quantize(x) with that convention (verify checks the Q8 paths of each on it), which are
// then not computed a second time.
void add_q8_convention_accuracy(const Q4KMatrix& w, const std::vector<float>& x, const char* input,
                                const ReferenceGemv& exact, AccuracyTable& table,
                                const ReferenceGemv* sum_of_x = nullptr,
                                const ReferenceGemv* d_sum_q = nullptr);

}  // namespace qgemv
