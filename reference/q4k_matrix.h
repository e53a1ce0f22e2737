#pragma once
// A Q4_K weight matrix on the host: n rows of k/256 blocks, row-major, as stored in GGUF.
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/formats/blocks.h"

namespace qgemv {

struct Q4KMatrix {
  int64_t n = 0;
  int64_t k = 0;
  std::vector<BlockQ4K> blocks;

  int64_t blocks_per_row() const { return k / kQK; }
  std::span<const BlockQ4K> row(int64_t r) const {
    return {blocks.data() + r * blocks_per_row(), size_t(blocks_per_row())};
  }
  std::span<BlockQ4K> row(int64_t r) {
    return {blocks.data() + r * blocks_per_row(), size_t(blocks_per_row())};
  }
  size_t bytes() const { return blocks.size() * sizeof(BlockQ4K); }
};

// Throws std::invalid_argument unless k is a positive multiple of 256 and n is positive.
inline void check_shape(int64_t n, int64_t k) {
  if (n <= 0) throw std::invalid_argument("n must be positive, got " + std::to_string(n));
  if (k <= 0 || k % kQK != 0)
    throw std::invalid_argument("k must be a positive multiple of 256, got " + std::to_string(k));
}

}  // namespace qgemv
