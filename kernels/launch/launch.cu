#include <atomic>
#include <cstddef>
#include <memory>

#include "kernels/gemv/path_kernels.cuh"
#include "kernels/launch/launch.h"
#include "kernels/launch/launch_config.h"

namespace qgemv {

int64_t device_resident_threads() {
  // Queried once per device: a launch on the hot path must not pay two attribute calls. The
  // device count is fixed for the life of the process, so one slot per device is allocated at
  // the first call (a count that cannot be read gives no slots: nothing is cached).
  static const int count = [] {
    int n = 0;
    return cudaGetDeviceCount(&n) == cudaSuccess ? n : 0;
  }();
  static const std::unique_ptr<std::atomic<int64_t>[]> known(
      new std::atomic<int64_t>[size_t(count)]());
  // A failed call's error is left where it is: the caller's launch check reports it, and an
  // error pending from an earlier call must not be cleared here.
  int device = 0, sms = 0, threads = 0;
  if (cudaGetDevice(&device) != cudaSuccess) return kH100ResidentThreads;
  const bool cached = device >= 0 && device < count;
  if (cached)
    if (const int64_t v = known[size_t(device)].load(std::memory_order_relaxed)) return v;
  if (cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device) != cudaSuccess ||
      cudaDeviceGetAttribute(&threads, cudaDevAttrMaxThreadsPerMultiProcessor, device) !=
          cudaSuccess)
    return kH100ResidentThreads;
  const int64_t v = int64_t(sms) * threads;
  if (cached) known[size_t(device)].store(v, std::memory_order_relaxed);
  return v;
}

cudaError_t launch_gemv(const GemvLaunch& g, cudaStream_t stream) {
  g.path->launch(g, gemv_launch_shape(g.path, g.n, g.k, g.outputs_per_block), stream);
  return cudaGetLastError();
}

cudaError_t launch_q8_quantize(const float* input, BlockQ8_1* output, int64_t values,
                               unsigned* status, cudaStream_t stream, Q8Sum convention) {
  dev::launch_q8_quantize(input, output, values, status, convention,
                          q8_quantize_launch_shape(values), stream);
  return cudaGetLastError();
}

const char* gemv_kernel_name(Path p, int64_t k) { return p->kernel_name(p.info(), k); }

}  // namespace qgemv
