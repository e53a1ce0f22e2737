// A kernel built for sm_89 alone (PTX compute_89): on an H100 the driver JIT-compiles it, and
// its code has no griddepcontrol.wait.
#include "kernels/gemv/dependent_launch.cuh"
#include "properties/gpu/old_arch/old_arch_kernel.h"

namespace qgemv::testing {
namespace {

__global__ void old_arch_kernel(int* out) {
  dev::allow_dependent_launch();
  dev::wait_for_previous_grid();
  *out = 1;
}

}  // namespace

const void* old_arch_kernel_address() { return reinterpret_cast<const void*>(old_arch_kernel); }

cudaError_t launch_old_arch_kernel(int* out, cudaStream_t stream) {
  dev::launch_after_previous(old_arch_kernel, LaunchShape{1, 1}, stream, out);
  return cudaGetLastError();
}

}  // namespace qgemv::testing
