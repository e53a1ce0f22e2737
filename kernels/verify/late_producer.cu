#include "kernels/bench/global_timer.cuh"
#include "kernels/gemv/dependent_launch.cuh"
#include "kernels/verify/late_producer.h"

namespace qgemv {
namespace dev {
namespace {

__global__ void late_copy_kernel(const uint4* src, uint4* dst, size_t n, uint64_t delay_ns) {
  allow_dependent_launch();
  sleep_for_ns(delay_ns);
  for (size_t i = size_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += size_t(gridDim.x) * blockDim.x)
    dst[i] = src[i];
}

}  // namespace
}  // namespace dev

cudaError_t launch_late_copy(const void* src, void* dst, size_t bytes, uint64_t delay_ns,
                             cudaStream_t stream) {
  // Few CTAs: the GEMV's CTAs must find room beside them to start early.
  dev::late_copy_kernel<<<8, 256, 0, stream>>>(static_cast<const uint4*>(src),
                                               static_cast<uint4*>(dst), bytes / 16, delay_ns);
  return cudaGetLastError();
}

}  // namespace qgemv
