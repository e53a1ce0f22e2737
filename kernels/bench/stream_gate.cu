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

// Counts SM cycles rather than %globaltimer, which ticks too coarsely for the 100 ns a 1%
// slowdown of a short kernel asks for.
__global__ void spin_kernel(uint64_t cycles) {
  const long long start = clock64();
  while (uint64_t(clock64() - start) < cycles) {
  }
}

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

cudaError_t launch_spin_cycles(uint64_t cycles, cudaStream_t stream) {
  spin_kernel<<<1, 1, 0, stream>>>(cycles);
  return cudaGetLastError();
}

}  // namespace qgemv
