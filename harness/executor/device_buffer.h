#pragma once
// Owning device memory: cudaMalloc/cudaFree, or stream-ordered cudaMallocAsync/cudaFreeAsync
// (the pool mode). Move-only. Allocation counters let benchmarks report allocations per token.
#include <cuda_runtime_api.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "harness/executor/cuda_check.h"

namespace qgemv {

struct AllocationCounters {
  static inline std::atomic<int64_t> allocations{0};
  static inline std::atomic<int64_t> frees{0};
  // Host time spent inside allocation and free calls, including any device synchronisation
  // they imply (cudaFree waits for the device).
  static inline std::atomic<int64_t> host_ns{0};

  // Adds the lifetime of a scope to host_ns.
  struct Timed {
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    ~Timed() {
      host_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(
                     std::chrono::steady_clock::now() - start)
                     .count();
    }
  };
};

template <typename T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(size_t count) : count_(count) {
    if (count == 0) return;
    const AllocationCounters::Timed timed;
    QGEMV_CUDA_CTX(cudaMalloc(reinterpret_cast<void**>(&ptr_), count * sizeof(T)), bytes_context());
    ++AllocationCounters::allocations;
  }
  // Stream-ordered allocation from the device's default memory pool.
  static DeviceBuffer stream_ordered(size_t count, cudaStream_t stream) {
    DeviceBuffer b;
    b.count_ = count;
    b.stream_ = stream;
    b.async_ = true;
    if (count == 0) return b;
    const AllocationCounters::Timed timed;
    QGEMV_CUDA_CTX(cudaMallocAsync(reinterpret_cast<void**>(&b.ptr_), count * sizeof(T), stream),
                   b.bytes_context());
    ++AllocationCounters::allocations;
    return b;
  }
  ~DeviceBuffer() { release(); }
  DeviceBuffer(DeviceBuffer&& o) noexcept { *this = std::move(o); }
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
    if (this != &o) {
      release();
      ptr_ = std::exchange(o.ptr_, nullptr);
      count_ = std::exchange(o.count_, 0);
      stream_ = o.stream_;
      async_ = o.async_;
    }
    return *this;
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  T* get() const { return ptr_; }
  size_t size() const { return count_; }
  size_t bytes() const { return count_ * sizeof(T); }

 private:
  std::string bytes_context() const { return std::to_string(count_ * sizeof(T)) + " bytes"; }
  void release() noexcept {
    if (ptr_ == nullptr) return;
    const AllocationCounters::Timed timed;
    // A destructor cannot throw; a failed free surfaces at the next checked call.
    (void)(async_ ? cudaFreeAsync(ptr_, stream_) : cudaFree(ptr_));
    ++AllocationCounters::frees;
    ptr_ = nullptr;
  }
  T* ptr_ = nullptr;
  size_t count_ = 0;
  cudaStream_t stream_ = nullptr;
  bool async_ = false;
};

}  // namespace qgemv
