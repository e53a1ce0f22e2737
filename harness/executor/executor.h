#pragma once
// The host side of the GEMV executor: device and stream, weight store, status word, graph
// recording, and every path in two forms: *_async allocates and returns its output without
// synchronising; *_into writes a caller's (workspace) buffer. Bad input throws before anything
// is launched.
#include <cuda_runtime_api.h>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "harness/executor/cuda_graph.h"
#include "harness/executor/device_buffer.h"
#include "harness/executor/weight_store.h"
#include "kernels/launch/path_registry.h"

namespace qgemv {

struct ExecutorError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// An input could not be represented in Q8_1 (d or s overflowed fp16); reported at the
// synchronisation after the launch that found it.
struct Q8OverflowError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class AllocMode { kDevice, kStreamOrdered };

class Executor {
 public:
  explicit Executor(int device = 0);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  WeightStore& weights() { return weights_; }
  cudaStream_t stream() const { return stream_; }
  // How *_async calls allocate: cudaMalloc (alloc mode) or cudaMallocAsync (pool mode). Pool
  // mode keeps freed memory in the device's default pool instead of returning it to the driver
  // at each synchronisation.
  void set_alloc_mode(AllocMode m);
  // Fills every *_async output with NaN bytes before the launch, so that verification sees
  // elements a kernel failed to write. Off by default: it costs a memset per call.
  void set_poison_allocations(bool on) { poison_allocations_ = on; }
  // Puts guard zones around every *_async output (guard_zone.h), for verification.
  void set_guard_allocations(bool on) { guard_allocations_ = on; }
  // What a kernel wrote outside the status word (empty if nothing); waits for the stream.
  std::string damaged_status_guards() const {
    return status_.damaged_guards("the status word", stream_);
  }

  DeviceBuffer<float> gemv_async(Path p, const std::string& weight, const DeviceBuffer<float>& x,
                                 int64_t n, int64_t k, int outputs_per_block = 4);
  DeviceBuffer<float> gemv_async(Path p, const std::string& weight,
                                 const DeviceBuffer<BlockQ8_1>& xq, int64_t n, int64_t k);
  void gemv_into(Path p, const std::string& weight, const DeviceBuffer<float>& x,
                 DeviceBuffer<float>& y, int64_t n, int64_t k, int outputs_per_block = 4);
  void gemv_into(Path p, const std::string& weight, const DeviceBuffer<BlockQ8_1>& xq,
                 DeviceBuffer<float>& y, int64_t n, int64_t k);

  // `sum`: what the blocks' s holds, the PathInfo::q8_sum of the path that reads them (no
  // default: a path checked against one convention must not be given the other).
  DeviceBuffer<BlockQ8_1> q8_quantize_async(const DeviceBuffer<float>& x, int64_t values,
                                            Q8Sum sum);
  void q8_quantize_into(const DeviceBuffer<float>& x, DeviceBuffer<BlockQ8_1>& out, int64_t values,
                        Q8Sum sum);

  // Records the *_into launches issued until end_recording into a replayable graph.
  void begin_recording();
  CudaGraph end_recording();
  // Records what `issue` launches; if it throws, the recording is ended (and dropped) first.
  CudaGraph record(const std::function<void()>& issue);
  bool recording() const { return recording_; }

  // Kernels enqueued (or captured) since construction: GEMVs and Q8_1 quantizations.
  int64_t launches() const { return launches_; }

  // Waits for the stream; throws Q8OverflowError if a launch since the last call saw an input
  // that overflows Q8_1.
  void synchronize();

 private:
  template <typename T>
  DeviceBuffer<T> allocate(size_t count, const char* what);
  void launch(Path p, const std::string& weight, const void* input, size_t input_values, float* y,
              size_t y_size, int64_t n, int64_t k, int opb);

  int device_ = 0;
  cudaStream_t stream_ = nullptr;
  WeightStore weights_;
  DeviceBuffer<unsigned> status_;
  AllocMode alloc_mode_ = AllocMode::kDevice;
  bool recording_ = false;
  bool poison_allocations_ = false;
  bool guard_allocations_ = false;
  int64_t launches_ = 0;
};

}  // namespace qgemv
