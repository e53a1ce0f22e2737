#pragma once
// The project's own GEMV on the GPU, y = W x as in own_gemv.h. Includes no C++20, so that the
// .cu builds at nvcc's default standard.
#include <cuda_runtime_api.h>

#include "kernels/formats/blocks.h"

namespace own {

// One warp per output row; w, x and y are device pointers, k a multiple of 256. Enqueues on
// `stream` and returns the launch error, left set as <<<>>> leaves it, so that a caller who checks
// with cudaGetLastError (as qgemv's executor does) still sees it.
cudaError_t launch_gpu_gemv(const qgemv::BlockQ4K* w, const float* x, float* y, int n, int k,
                            cudaStream_t stream);

}  // namespace own
