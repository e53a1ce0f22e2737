// q4k: one warp per output row, input read from global memory. The simple baseline.
#include "kernels/gemv/path_kernels.cuh"
#include "kernels/gemv/q4k_lane_dot.cuh"
#include "kernels/gemv/warp_reduce.cuh"

namespace qgemv::dev {

__global__ void gemv_q4k_kernel(const BlockQ4K* __restrict__ w, const float* __restrict__ x,
                                float* __restrict__ y, int k) {
  const int row = blockIdx.x, lane = threadIdx.x;
  const int nb = k / kQK;
  const float acc = lanes_sum(q4k_lane_dot_blocks(0.0f, w + size_t(row) * nb, x, nb, lane));
  if (lane == 0) y[row] = acc;
}

void launch_q4k(const GemvLaunch& g, LaunchShape s, cudaStream_t stream) {
  gemv_q4k_kernel<<<s.grid, s.block, 0, stream>>>(g.weights, static_cast<const float*>(g.input),
                                                  g.output, int(g.k));
}

}  // namespace qgemv::dev
