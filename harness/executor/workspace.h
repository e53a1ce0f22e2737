#pragma once
// Buffers allocated once and reused by every *_into call of a decode step, so that nothing is
// allocated per token: the GEMV outputs and the Q8_1 activations of the two-stage path.
#include <cstdint>
#include <vector>

#include "harness/executor/device_buffer.h"
#include "kernels/formats/blocks.h"

namespace qgemv {

class Workspace {
 public:
  // `outputs` buffers of max_n floats each, and Q8_1 room for max_k input values.
  Workspace(int64_t outputs, int64_t max_n, int64_t max_k)
      : q8_(size_t((max_k + kQ8Values - 1) / kQ8Values)) {
    for (int64_t i = 0; i < outputs; ++i) outputs_.emplace_back(size_t(max_n));
  }
  // The same, each buffer between guard zones (verification).
  Workspace(int64_t outputs, int64_t max_n, int64_t max_k, WithGuards g)
      : q8_(size_t((max_k + kQ8Values - 1) / kQ8Values), g) {
    for (int64_t i = 0; i < outputs; ++i) outputs_.emplace_back(size_t(max_n), g);
  }
  DeviceBuffer<float>& output(size_t i) { return outputs_.at(i); }
  DeviceBuffer<BlockQ8_1>& q8() { return q8_; }
  size_t outputs() const { return outputs_.size(); }

 private:
  std::vector<DeviceBuffer<float>> outputs_;
  DeviceBuffer<BlockQ8_1> q8_;
};

}  // namespace qgemv
