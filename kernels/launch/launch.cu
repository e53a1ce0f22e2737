#include "kernels/gemv/path_kernels.cuh"
#include "kernels/launch/launch.h"
#include "kernels/launch/launch_config.h"

namespace qgemv {

cudaError_t launch_gemv(const GemvLaunch& g, cudaStream_t stream) {
  const LaunchShape s = gemv_launch_shape(g.path, g.n, g.k, g.outputs_per_block);
  switch (resolved_path(g.path, g.k)) {
    case Path::kQ4K:
      dev::launch_q4k(g, s, stream);
      break;
    case Path::kTiled:
      dev::launch_tiled(g, s, stream);
      break;
    case Path::kChunked:
      dev::launch_chunked(g, s, stream);
      break;
    case Path::kDp4a:
      dev::launch_dp4a(g, s, stream);
      break;
    case Path::kQ4KQ8:
      dev::launch_q4k_q8(g, s, stream);
      break;
    case Path::kMwv:
      dev::launch_mwv(g, s, stream);
      break;
    case Path::kMwvQ8:
      dev::launch_mwv_q8(g, s, stream);
      break;
  }
  return cudaGetLastError();
}

cudaError_t launch_q8_quantize(const float* input, BlockQ8_1* output, int64_t values,
                               unsigned* status, cudaStream_t stream) {
  dev::launch_q8_quantize(input, output, values, status, q8_quantize_launch_shape(values), stream);
  return cudaGetLastError();
}

const char* gemv_kernel_name(Path p, int64_t k) {
  switch (resolved_path(p, k)) {
    case Path::kQ4K:
      return "gemv_q4k_kernel";
    case Path::kTiled:
      return "gemv_tiled_kernel";
    case Path::kChunked:
      return "gemv_chunked_kernel";
    case Path::kDp4a:
      return "gemv_q8_warp_kernel<Q8FromF32>";
    case Path::kQ4KQ8:
      return "gemv_q8_warp_kernel<Q8FromBuffer>";
    case Path::kMwv:
      return "gemv_mwv_kernel<F32Input>";
    case Path::kMwvQ8:
      return "gemv_mwv_kernel<Q8Input>";
  }
  return "?";
}

}  // namespace qgemv
