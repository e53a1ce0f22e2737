#include "kernels/bench/bench_kernels.h"
#include "kernels/bench/global_timer.cuh"

namespace qgemv {
namespace {

__global__ void wait_for_flag_kernel(const volatile int* flag, int* timed_out,
                                     uint64_t timeout_ns) {
  const uint64_t start = dev::global_time_ns();
  while (*flag == 0) {
    if (dev::global_time_ns() - start > timeout_ns) {
      *timed_out = 1;
      return;
    }
    __nanosleep(256);
  }
}

__global__ void delay_kernel(uint64_t ns) { dev::sleep_for_ns(ns); }

}  // namespace

cudaError_t launch_wait_for_flag(const volatile int* flag, int* timed_out, uint64_t timeout_ns,
                                 cudaStream_t stream) {
  wait_for_flag_kernel<<<1, 1, 0, stream>>>(flag, timed_out, timeout_ns);
  return cudaGetLastError();
}

cudaError_t launch_delay(uint64_t ns, cudaStream_t stream) {
  delay_kernel<<<1, 1, 0, stream>>>(ns);
  return cudaGetLastError();
}

}  // namespace qgemv
