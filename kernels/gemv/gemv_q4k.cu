// q4k: one warp per output row, input read from global memory. The simple baseline.
#include "kernels/gemv/path_kernels.cuh"
#include "kernels/gemv/q4k_lane_dot.cuh"
#include "kernels/gemv/warp_reduce.cuh"

namespace qgemv::dev {

__global__ void gemv_q4k_kernel(const BlockQ4K* __restrict__ w, const float* __restrict__ x,
                                float* __restrict__ y, int n, int k) {
  const int row = blockIdx.x, lane = threadIdx.x;
  const int nb = k / kQK;
  const BlockQ4K* wr = w + size_t(row) * nb;
  float acc = 0.0f;
  for (int b = 0; b < nb; ++b) acc += q4k_lane_dot(wr[b], x + b * kQK, lane);
  acc = lanes_sum(acc);
  if (lane == 0) y[row] = acc;
}

void launch_q4k(const GemvLaunch& g, LaunchShape s, cudaStream_t stream) {
  gemv_q4k_kernel<<<s.grid, s.block, 0, stream>>>(g.weights, static_cast<const float*>(g.input),
                                                  g.output, int(g.n), int(g.k));
}

}  // namespace qgemv::dev
