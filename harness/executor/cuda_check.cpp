#include "harness/executor/cuda_check.h"

namespace qgemv {

void throw_cuda_error(cudaError_t e, const char* call, const std::string& context, const char* file,
                      int line) {
  std::string msg =
      std::string(call) + " failed: " + cudaGetErrorName(e) + " (" + cudaGetErrorString(e) + ")";
  if (!context.empty()) msg += " [" + context + "]";
  msg += " at " + std::string(file) + ":" + std::to_string(line);
  throw CudaError(e, msg);
}

}  // namespace qgemv
