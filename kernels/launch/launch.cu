#include <array>
#include <atomic>

#include "kernels/gemv/path_kernels.cuh"
#include "kernels/launch/launch.h"
#include "kernels/launch/launch_config.h"

namespace qgemv {

int64_t device_resident_threads() {
  // Queried once per device: a launch on the hot path must not pay two attribute calls.
  static std::array<std::atomic<int64_t>, 64> known{};
  int device = 0;
  if (cudaGetDevice(&device) != cudaSuccess || device < 0 || device >= int(known.size())) {
    (void)cudaGetLastError();  // leave no error behind for the caller's launch check
    return kH100ResidentThreads;
  }
  if (const int64_t v = known[device].load(std::memory_order_relaxed)) return v;
  int sms = 0, threads = 0;
  if (cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device) != cudaSuccess ||
      cudaDeviceGetAttribute(&threads, cudaDevAttrMaxThreadsPerMultiProcessor, device) !=
          cudaSuccess) {
    (void)cudaGetLastError();
    return kH100ResidentThreads;
  }
  const int64_t v = int64_t(sms) * threads;
  known[device].store(v, std::memory_order_relaxed);
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
