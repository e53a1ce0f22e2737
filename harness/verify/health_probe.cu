#include <cuda_runtime_api.h>

#include <vector>

#include "harness/verify/health_probe.h"

namespace qgemv {
namespace {

constexpr int kValues = 4096;

__global__ void fill_probe_pattern(unsigned* out, unsigned salt) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < kValues) out[i] = unsigned(i) * 2654435761u ^ salt;
}

std::string failed(const char* what, cudaError_t e) {
  return std::string(what) + ": " + cudaGetErrorName(e) + ": " + cudaGetErrorString(e);
}

}  // namespace

std::string probe_gpu(int device) {
  if (cudaError_t e = cudaSetDevice(device); e != cudaSuccess) return failed("cudaSetDevice", e);
  if (cudaError_t e = cudaFree(nullptr); e != cudaSuccess) return failed("creating a context", e);
  unsigned* d = nullptr;
  if (cudaError_t e = cudaMalloc(&d, kValues * sizeof(unsigned)); e != cudaSuccess)
    return failed("cudaMalloc", e);
  // A salt the kernel cannot guess: a stale buffer from an earlier probe fails the check.
  const unsigned salt = unsigned(reinterpret_cast<uintptr_t>(d) >> 8) ^ 0x9e3779b9u;
  fill_probe_pattern<<<kValues / 256, 256>>>(d, salt);
  cudaError_t e = cudaGetLastError();
  if (e == cudaSuccess) e = cudaDeviceSynchronize();
  std::vector<unsigned> h(kValues);
  if (e == cudaSuccess)
    e = cudaMemcpy(h.data(), d, kValues * sizeof(unsigned), cudaMemcpyDeviceToHost);
  cudaFree(d);
  if (e != cudaSuccess) return failed("a trivial kernel", e);
  for (int i = 0; i < kValues; ++i)
    if (h[i] != (unsigned(i) * 2654435761u ^ salt))
      return "a trivial kernel wrote wrong values (value " + std::to_string(i) + ")";
  return "";
}

}  // namespace qgemv
