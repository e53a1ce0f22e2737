#pragma once
// Named Q4_K weights on the device: a pooled arena (one allocation for many weights) checked
// first, then individually allocated buffers. Unknown names are errors listing the known ones.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "harness/executor/device_buffer.h"
#include "reference/q4k_matrix.h"

namespace qgemv {

struct WeightView {
  const BlockQ4K* blocks;
  int64_t n;
  int64_t k;
};

// A Q4_K weight in host memory: n rows of k/256 blocks at `blocks` (any alignment; a GGUF
// file's tensor is read in place).
struct HostWeight {
  std::string name;
  int64_t n = 0, k = 0;
  const void* blocks = nullptr;
  size_t bytes() const { return size_t(n) * size_t(k / kQK) * sizeof(BlockQ4K); }
};

class WeightStore {
 public:
  // Copies one weight into its own buffer (replacing any of that name).
  void load(const std::string& name, const Q4KMatrix& w, cudaStream_t stream);
  // Copies many weights into one arena; names must be new to the arena.
  void load_pooled(const std::vector<HostWeight>& weights, cudaStream_t stream);
  // Names `parts` (pooled weights with one k, consecutive in the arena, in that order) read
  // together as one matrix of their rows stacked, so that one GEMV launch computes all of
  // them: its output is theirs concatenated. Throws unless the parts are adjacent.
  void stack(const std::string& name, const std::vector<std::string>& parts);
  // Frees every weight, pooled or individual.
  void clear();
  WeightView lookup(const std::string& name) const;
  bool contains(const std::string& name) const;
  std::vector<std::string> names() const;
  size_t bytes() const;

 private:
  struct Individual {
    DeviceBuffer<BlockQ4K> buffer;
    int64_t n, k;
  };
  DeviceBuffer<BlockQ4K> arena_;
  std::map<std::string, WeightView> pooled_;
  std::map<std::string, Individual> individual_;
};

}  // namespace qgemv
