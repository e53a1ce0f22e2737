#pragma once
// Every CUDA call goes through QGEMV_CUDA: a failure throws CudaError carrying the call, what
// it was for (kernel and shape), the CUDA error and file:line.
#include <cuda_runtime_api.h>

#include <stdexcept>
#include <string>

namespace qgemv {

struct CudaError : std::runtime_error {
  CudaError(cudaError_t code, const std::string& msg) : std::runtime_error(msg), code(code) {}
  cudaError_t code;
};

[[noreturn]] void throw_cuda_error(cudaError_t e, const char* call, const std::string& context,
                                   const char* file, int line);

#define QGEMV_CUDA_CTX(call, context)                                            \
  do {                                                                           \
    const cudaError_t qgemv_e_ = (call);                                         \
    if (qgemv_e_ != cudaSuccess)                                                 \
      ::qgemv::throw_cuda_error(qgemv_e_, #call, (context), __FILE__, __LINE__); \
  } while (0)

#define QGEMV_CUDA(call) QGEMV_CUDA_CTX(call, std::string())

}  // namespace qgemv
