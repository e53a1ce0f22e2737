#pragma once
// GPU time of a region of a stream, measured with CUDA events. A gate (a one-thread kernel
// spinning on a host-mapped flag) holds the stream while the host queues the region, so the
// events time the GPU work back to back, without the host's launch latency inside.
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "harness/executor/device_buffer.h"

namespace qgemv {

class CudaEvent {
 public:
  CudaEvent();
  ~CudaEvent();
  CudaEvent(const CudaEvent&) = delete;
  CudaEvent& operator=(const CudaEvent&) = delete;
  void record(cudaStream_t s);
  cudaEvent_t get() const { return event_; }

 private:
  cudaEvent_t event_ = nullptr;
};

// Microseconds between two recorded events, waiting for the second.
double elapsed_us(const CudaEvent& from, const CudaEvent& to);

class StreamGate {
 public:
  StreamGate();
  ~StreamGate();
  StreamGate(const StreamGate&) = delete;
  StreamGate& operator=(const StreamGate&) = delete;
  void hold(cudaStream_t s);
  void release();
  // Throws when the gate opened on its timeout (the host took over a second to queue the
  // region), which would leave host latency inside the measurement.
  void check();

 private:
  int* flag_ = nullptr;  // host-mapped
  int* flag_device_ = nullptr;
  DeviceBuffer<int> timed_out_;
};

// Times a sequence of steps (each enqueues work on s) behind a gate, with an event between
// consecutive steps, and returns each step's GPU microseconds. At most `steps_per_gate` steps
// are queued behind one gate, so the launch queue never fills while the gate holds the stream
// (a step should enqueue at most a few hundred launches).
class GatedTimer {
 public:
  template <typename Step>
  std::vector<double> time_steps(cudaStream_t s, size_t steps, Step&& step,
                                 size_t steps_per_gate = 64) {
    grow(std::min(steps, steps_per_gate));
    std::vector<double> us(steps);
    for (size_t begin = 0; begin < steps; begin += steps_per_gate) {
      const size_t count = std::min(steps_per_gate, steps - begin);
      gate_.hold(s);
      events_[0]->record(s);
      for (size_t i = 0; i < count; ++i) {
        step(begin + i);
        events_[i + 1]->record(s);
      }
      gate_.release();
      for (size_t i = 0; i < count; ++i) us[begin + i] = elapsed_us(*events_[i], *events_[i + 1]);
      gate_.check();
    }
    return us;
  }

 private:
  void grow(size_t steps);
  StreamGate gate_;
  std::vector<std::unique_ptr<CudaEvent>> events_;
};

}  // namespace qgemv
