#pragma once
// The project's own GEMV on the CPU, y = W x for Q4_K weights W (n rows of k/256 blocks, as in
// GGUF) and f32 input x. It takes its weights from qgemv's exact dequantization; the
// arithmetic after that is its own.
#include <span>
#include <vector>

#include "reference/q4k_matrix.h"

namespace own {

// Deliberately plain: each row dequantized to f32, multiplied by x and summed pairwise.
std::vector<float> cpu_gemv(const qgemv::Q4KMatrix& w, std::span<const float> x);

}  // namespace own
