// The cheapest kernel a decode step's chain can hold: it starts early and waits for the kernel
// before it as the GEMVs and q8_quantize do (dependent_launch.cuh), then writes one word per
// CTA, so the next one has something to wait for. A chain of them measures what a dependency
// between two kernels costs before any byte of weights moves.
#include "kernels/bench/bench_kernels.h"
#include "kernels/bench/global_timer.cuh"
#include "kernels/gemv/dependent_launch.cuh"

namespace qgemv {
namespace {

__global__ void dependent_step_kernel(unsigned* marks, uint64_t busy_ns) {
  dev::allow_dependent_launch();
  dev::wait_for_previous_grid();
  if (threadIdx.x != 0) return;
  if (busy_ns) dev::sleep_for_ns(busy_ns);
  marks[blockIdx.x] += 1;
}

}  // namespace

cudaError_t launch_dependent_step(unsigned ctas, unsigned* marks, uint64_t busy_ns,
                                  cudaStream_t stream) {
  dev::launch_after_previous(dependent_step_kernel, {ctas, kWarp * 4}, stream, marks, busy_ns);
  return cudaGetLastError();
}

}  // namespace qgemv
