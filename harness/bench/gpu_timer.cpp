#include "harness/bench/gpu_timer.h"

#include <atomic>

#include "harness/executor/cuda_check.h"
#include "kernels/bench/bench_kernels.h"

namespace qgemv {

CudaEvent::CudaEvent() { QGEMV_CUDA(cudaEventCreate(&event_)); }
CudaEvent::~CudaEvent() { (void)cudaEventDestroy(event_); }
void CudaEvent::record(cudaStream_t s) { QGEMV_CUDA(cudaEventRecord(event_, s)); }

double elapsed_us(const CudaEvent& from, const CudaEvent& to) {
  QGEMV_CUDA(cudaEventSynchronize(to.get()));
  float ms = 0;
  QGEMV_CUDA(cudaEventElapsedTime(&ms, from.get(), to.get()));
  return double(ms) * 1e3;
}

namespace {
constexpr uint64_t kGateTimeoutNs = 1'000'000'000;
}

StreamGate::StreamGate() : timed_out_(1) {
  QGEMV_CUDA(cudaHostAlloc(reinterpret_cast<void**>(&flag_), sizeof(int), cudaHostAllocMapped));
  QGEMV_CUDA(cudaHostGetDevicePointer(reinterpret_cast<void**>(&flag_device_), flag_, 0));
  QGEMV_CUDA(cudaMemset(timed_out_.get(), 0, sizeof(int)));
}

StreamGate::~StreamGate() { (void)cudaFreeHost(flag_); }

void StreamGate::hold(cudaStream_t s) {
  std::atomic_ref<int>(*flag_).store(0, std::memory_order_release);
  QGEMV_CUDA_CTX(launch_wait_for_flag(flag_device_, timed_out_.get(), kGateTimeoutNs, s),
                 "kernel wait_for_flag_kernel");
}

void StreamGate::release() { std::atomic_ref<int>(*flag_).store(1, std::memory_order_release); }

void StreamGate::check() {
  int timed_out = 0;
  QGEMV_CUDA(cudaMemcpy(&timed_out, timed_out_.get(), sizeof timed_out, cudaMemcpyDeviceToHost));
  if (!timed_out) return;
  QGEMV_CUDA(cudaMemset(timed_out_.get(), 0, sizeof(int)));
  throw std::runtime_error(
      "the timing gate opened on its 1 s timeout before the host released it; the "
      "measurement would include host latency");
}

void GatedTimer::grow(size_t steps) {
  while (events_.size() < steps + 1) events_.push_back(std::make_unique<CudaEvent>());
}

}  // namespace qgemv
