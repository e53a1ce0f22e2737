#pragma once
// The order in which an A/B case samples its two sides: blocks of four, each ABBA or BAAB by a
// seeded random draw. Each block is two pairs (samples 0-1 and 2-3), each pair one sample of
// each side taken back to back, so drift cancels within a pair and a linear trend over a
// block; the side that runs first after a switch is the base as often as the candidate in
// expectation, with no period a periodic disturbance could follow (docs/ab-gate.md).
#include <cstdint>
#include <vector>

namespace qgemv {

enum class AbSide { kBase, kCandidate };

// The sides of `blocks` blocks (4 * blocks samples). Equal seeds give equal orders on every
// platform (the draw uses std::mt19937_64's raw output, not a library distribution).
std::vector<AbSide> ab_order(int64_t blocks, uint64_t seed);

// Samples in the order of `order`, paired as the order pairs them (0-1, 2-3, ...): each pair's
// log-ratio ln(candidate / base). Throws std::invalid_argument when the sizes differ, the
// order's length is odd, a pair holds one side twice, or a sample is not positive and finite.
std::vector<double> paired_log_ratios(const std::vector<AbSide>& order,
                                      const std::vector<double>& samples);

}  // namespace qgemv
