#include "kernels/gemv/path_kernels.cuh"
#include "kernels/launch/launch.h"
#include "kernels/launch/launch_config.h"

namespace qgemv {

cudaError_t launch_gemv(const GemvLaunch& g, cudaStream_t stream) {
  g.path->launch(g, gemv_launch_shape(g.path, g.n, g.k, g.outputs_per_block), stream);
  return cudaGetLastError();
}

cudaError_t launch_q8_quantize(const float* input, BlockQ8_1* output, int64_t values,
                               unsigned* status, cudaStream_t stream) {
  dev::launch_q8_quantize(input, output, values, status, q8_quantize_launch_shape(values), stream);
  return cudaGetLastError();
}

const char* gemv_kernel_name(Path p, int64_t k) { return p->kernel_name(p.info(), k); }

}  // namespace qgemv
