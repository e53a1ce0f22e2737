#pragma once
#include <cuda_runtime_api.h>

namespace qgemv::testing {

const void* old_arch_kernel_address();
cudaError_t launch_old_arch_kernel(int* out, cudaStream_t stream);

}  // namespace qgemv::testing
