#pragma once
// Host <-> device copies ordered on the executor's stream (the legacy stream would not order
// them against a non-blocking stream's kernels), and the output poison.
#include <cuda_runtime_api.h>

#include <vector>

#include "harness/executor/device_buffer.h"
#include "kernels/formats/fp16_bits.h"
#include "reference/error_model.h"

namespace qgemv {

// The NaN pattern outputs hold before a kernel runs; any left in the result was never written.
inline float output_poison() { return f32_from_bits(kOutputPoisonBits); }

template <typename T>
DeviceBuffer<T> upload(const std::vector<T>& v, cudaStream_t s) {
  DeviceBuffer<T> b(v.size());
  QGEMV_CUDA(cudaMemcpyAsync(b.get(), v.data(), b.bytes(), cudaMemcpyHostToDevice, s));
  QGEMV_CUDA(cudaStreamSynchronize(s));
  return b;
}

inline void poison(DeviceBuffer<float>& y, cudaStream_t s) {
  const std::vector<float> p(y.size(), output_poison());
  QGEMV_CUDA(cudaMemcpyAsync(y.get(), p.data(), y.bytes(), cudaMemcpyHostToDevice, s));
  QGEMV_CUDA(cudaStreamSynchronize(s));
}

inline std::vector<float> download(const DeviceBuffer<float>& y, cudaStream_t s) {
  std::vector<float> out(y.size());
  QGEMV_CUDA(cudaMemcpyAsync(out.data(), y.get(), y.bytes(), cudaMemcpyDeviceToHost, s));
  QGEMV_CUDA(cudaStreamSynchronize(s));
  return out;
}

}  // namespace qgemv
