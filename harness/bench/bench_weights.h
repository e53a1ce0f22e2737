#pragma once
// Weights for timing: random Q4_K blocks drawn fast (timing does not depend on the values, but
// nothing is timed on zeros), with fp16 scales in [2^-10, 2^-4) so sums stay finite.
#include <cstdint>

#include "reference/q4k_matrix.h"

namespace qgemv {

Q4KMatrix random_bench_weights(int64_t n, int64_t k, uint64_t seed);

}  // namespace qgemv
