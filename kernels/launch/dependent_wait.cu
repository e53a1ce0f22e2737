#include <cuda_runtime_api.h>

#include <map>
#include <mutex>

#include "kernels/launch/dependent_wait.h"

namespace qgemv {

bool dependent_wait_compiled(int ptx_version, int binary_version) {
  return ptx_version >= 90 && binary_version >= 90;
}

bool compiled_with_dependent_wait(const void* kernel) {
  static std::mutex m;
  static std::map<const void*, bool> known;
  const std::lock_guard<std::mutex> lock(m);
  if (auto it = known.find(kernel); it != known.end()) return it->second;
  cudaFuncAttributes a{};
  // A kernel whose attributes cannot be read launches in order, which is always correct; the
  // launch itself then reports the error.
  const bool wait = cudaFuncGetAttributes(&a, kernel) == cudaSuccess &&
                    dependent_wait_compiled(a.ptxVersion, a.binaryVersion);
  known[kernel] = wait;
  return wait;
}

}  // namespace qgemv
