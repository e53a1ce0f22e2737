#pragma once
// Device-side time for the benchmark kernels.
#include <cstdint>

namespace qgemv::dev {

// %globaltimer counts nanoseconds independent of the SM clock, which boosts and throttles.
__device__ __forceinline__ uint64_t global_time_ns() {
  uint64_t t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

// The calling thread stays busy for about `ns` nanoseconds.
__device__ __forceinline__ void sleep_for_ns(uint64_t ns) {
  const uint64_t start = global_time_ns();
  while (global_time_ns() - start < ns) __nanosleep(64);
}

}  // namespace qgemv::dev
