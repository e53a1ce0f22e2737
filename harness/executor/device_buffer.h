#pragma once
// Owning device memory: cudaMalloc/cudaFree, or stream-ordered cudaMallocAsync/cudaFreeAsync
// (the pool mode), or cudaMalloc with guard zones around the buffer (verification). Move-only.
// Allocation counters let benchmarks report allocations per token.
#include <cuda_runtime_api.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "harness/executor/cuda_check.h"
#include "harness/executor/guard_zone.h"

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

// Asks for guard zones around a buffer (guard_zone.h), filled on `stream`.
struct WithGuards {
  cudaStream_t stream;
  unsigned char fill = kGuardByte;  // another fill tells whether a result depends on the guards
};

template <typename T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(size_t count) : count_(count) {
    if (count == 0) return;
    const AllocationCounters::Timed timed;
    QGEMV_CUDA_CTX(cudaMalloc(reinterpret_cast<void**>(&ptr_), count * sizeof(T)), bytes_context());
    alloc_ = ptr_;
    ++AllocationCounters::allocations;
  }
  DeviceBuffer(size_t count, WithGuards g) : count_(count) {
    if (count == 0) return;
    const AllocationCounters::Timed timed;
    QGEMV_CUDA_CTX(cudaMalloc(&alloc_, count * sizeof(T) + 2 * kGuardBytes), bytes_context());
    ++AllocationCounters::allocations;
    ptr_ = reinterpret_cast<T*>(static_cast<char*>(alloc_) + kGuardBytes);
    guard_fill_ = g.fill;
    fill_guards(alloc_, bytes(), g.fill, g.stream);
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
    b.alloc_ = b.ptr_;
    ++AllocationCounters::allocations;
    return b;
  }
  ~DeviceBuffer() { release(); }
  DeviceBuffer(DeviceBuffer&& o) noexcept { *this = std::move(o); }
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
    if (this != &o) {
      release();
      ptr_ = std::exchange(o.ptr_, nullptr);
      alloc_ = std::exchange(o.alloc_, nullptr);
      guard_fill_ = o.guard_fill_;
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
  bool guarded() const { return alloc_ != ptr_; }
  // What a kernel wrote outside this buffer (empty if nothing, or if it has no guards); waits
  // for `stream`. `name` says which buffer in the message.
  std::string damaged_guards(const std::string& name, cudaStream_t stream) const {
    return guarded() ? qgemv::damaged_guards(alloc_, bytes(), guard_fill_, name, stream)
                     : std::string();
  }

 private:
  std::string bytes_context() const { return std::to_string(count_ * sizeof(T)) + " bytes"; }
  void release() noexcept {
    if (ptr_ == nullptr) return;
    const AllocationCounters::Timed timed;
    // A destructor cannot throw; a failed free surfaces at the next checked call.
    (void)(async_ ? cudaFreeAsync(alloc_, stream_) : cudaFree(alloc_));
    ++AllocationCounters::frees;
    ptr_ = nullptr;
    alloc_ = nullptr;
  }
  T* ptr_ = nullptr;
  void* alloc_ = nullptr;  // what cudaMalloc returned: ptr_, or the guard before it
  unsigned char guard_fill_ = kGuardByte;
  size_t count_ = 0;
  cudaStream_t stream_ = nullptr;
  bool async_ = false;
};

}  // namespace qgemv
