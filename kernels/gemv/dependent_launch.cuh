#pragma once
// Programmatic dependent launch (sm_90): a kernel launched with launch_after_previous may start
// while the kernel before it in the stream is still running. It lets the next kernel start at
// once (allow_dependent_launch), does only what depends on nothing earlier (prefetching its
// weights into L2), then waits for the earlier kernel to complete and its writes to be visible
// (wait_for_previous_grid) before it reads an input or writes an output. So a decode step's
// launch gaps and tails overlap the next kernel's weight reads, and the step's results do not
// change. Before sm_90 these are no-ops and launches are ordinary.
#include <cuda_runtime.h>

#include <utility>

#include "kernels/launch/dependent_wait.h"
#include "kernels/launch/launch_config.h"

namespace qgemv::dev {

__device__ __forceinline__ void allow_dependent_launch() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
#endif
}

__device__ __forceinline__ void wait_for_previous_grid() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
}

__device__ __forceinline__ bool is_aligned_16(const void* p) {
  return (reinterpret_cast<uintptr_t>(p) & 15u) == 0;
}

// Asks L2 to fetch `bytes` (a multiple of 16, 16-byte aligned) from global memory; returns at
// once.
__device__ __forceinline__ void prefetch_to_l2(const void* p, uint32_t bytes) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("cp.async.bulk.prefetch.L2.global [%0], %1;" ::"l"(p), "r"(bytes) : "memory");
#else
  (void)p, (void)bytes;
#endif
}

// Launches `kernel` allowed to overlap the stream's previous kernel when its code waits for it,
// as an ordinary launch otherwise; the launch error is left for cudaGetLastError, as with <<<>>>.
template <typename... Params, typename... Args>
void launch_after_previous(void (*kernel)(Params...), LaunchShape s, cudaStream_t stream,
                           Args&&... args) {
  if (!compiled_with_dependent_wait(reinterpret_cast<const void*>(kernel))) {
    kernel<<<s.grid, s.block, 0, stream>>>(std::forward<Args>(args)...);
    return;
  }
  cudaLaunchAttribute overlap[1];
  overlap[0].id = cudaLaunchAttributeProgrammaticStreamSerialization;
  overlap[0].val.programmaticStreamSerializationAllowed = 1;
  cudaLaunchConfig_t config{};
  config.gridDim = dim3(s.grid);
  config.blockDim = dim3(s.block);
  config.stream = stream;
  config.attrs = overlap;
  config.numAttrs = 1;
  (void)cudaLaunchKernelEx(&config, kernel, std::forward<Args>(args)...);
}

}  // namespace qgemv::dev
