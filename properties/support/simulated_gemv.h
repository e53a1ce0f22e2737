#pragma once
// CPU simulations of the GPU kernels' f32 arithmetic (same lane split, same order of f32
// operations), with optional deliberate bugs. They show that the error model admits a correct
// kernel's rounding, and that it rejects the bugs a Q4_K kernel is known to have.
#include <span>
#include <string>
#include <vector>

#include "kernels/formats/blocks.h"
#include "reference/q4k_matrix.h"

namespace qgemv::testing {

enum class Bug {
  kNone,
  kNibbleOrderSwapped,  // low and high nibble of each byte exchanged
  kScaleMinSwapped,     // 6-bit scale used as min and min as scale
  kDminDropped,         // the dmin*m offset term left out
  kSubBlockSkipped,     // sub-block 7 of the last block of each row left out
  kLastChunkSkipped,    // the last 8192-value chunk of the input left out
  kLastRowSkipped,      // the last output row never written (keeps the poison)
  kElementSkipped,      // input element `element` left out
  kElementMisplaced,    // input element `element` read from its neighbour's position
};

inline constexpr Bug kAllBugs[] = {
    Bug::kNibbleOrderSwapped, Bug::kScaleMinSwapped, Bug::kDminDropped,    Bug::kSubBlockSkipped,
    Bug::kLastChunkSkipped,   Bug::kLastRowSkipped,  Bug::kElementSkipped, Bug::kElementMisplaced};

const char* name(Bug b);
bool is_single_element(Bug b);

// The q4k/tiled/chunked lane arithmetic: 32 lanes, 8 values each per block, butterfly sum.
std::vector<float> simulate_f32_gemv(const Q4KMatrix& w, std::span<const float> x, Bug bug,
                                     int64_t element = 0);

// The dp4a/q4k_q8 arithmetic: exact integer sums per sub-block, f32 terms, 8-way butterfly.
std::vector<float> simulate_q8_gemv(const Q4KMatrix& w, std::span<const BlockQ8_1> xq, Bug bug,
                                    int64_t element = 0);

}  // namespace qgemv::testing
