#include "harness/executor/guard_zone.h"

#include <vector>

#include "harness/executor/cuda_check.h"

namespace qgemv {
namespace {

// [first, last) of the bytes in `guard` that differ from the pattern; first == last if none.
std::pair<size_t, size_t> changed_range(const std::vector<unsigned char>& guard,
                                        unsigned char fill) {
  size_t first = guard.size(), last = 0;
  for (size_t i = 0; i < guard.size(); ++i)
    if (guard[i] != fill) {
      first = std::min(first, i);
      last = i + 1;
    }
  return first < last ? std::pair{first, last} : std::pair{size_t(0), size_t(0)};
}

}  // namespace

void fill_guards(void* base, size_t bytes, unsigned char fill, cudaStream_t stream) {
  char* b = static_cast<char*>(base);
  QGEMV_CUDA(cudaMemsetAsync(b, fill, kGuardBytes, stream));
  QGEMV_CUDA(cudaMemsetAsync(b + kGuardBytes + bytes, fill, kGuardBytes, stream));
}

std::string damaged_guards(const void* base, size_t bytes, unsigned char fill,
                           const std::string& name, cudaStream_t stream) {
  std::vector<unsigned char> before(kGuardBytes), after(kGuardBytes);
  const char* b = static_cast<const char*>(base);
  QGEMV_CUDA(cudaMemcpyAsync(before.data(), b, kGuardBytes, cudaMemcpyDeviceToHost, stream));
  QGEMV_CUDA(cudaMemcpyAsync(after.data(), b + kGuardBytes + bytes, kGuardBytes,
                             cudaMemcpyDeviceToHost, stream));
  QGEMV_CUDA(cudaStreamSynchronize(stream));
  std::string out;
  const std::string size = " (" + std::to_string(bytes) + " bytes)";
  if (auto [f, l] = changed_range(after, fill); f < l)
    out += "wrote bytes [+" + std::to_string(f) + ", +" + std::to_string(l) + ") past the end of " +
           name + size;
  if (auto [f, l] = changed_range(before, fill); f < l)
    out += std::string(out.empty() ? "" : "; ") + "wrote bytes [-" +
           std::to_string(kGuardBytes - f) + ", -" + std::to_string(kGuardBytes - l) +
           ") before the start of " + name + size;
  return out;
}

}  // namespace qgemv
