// chunked: tiled with the input streamed through shared memory kChunkValues floats at a time,
// so any k that is a multiple of 256 works. Warps past the last row still take part in the
// barriers.
#include "kernels/gemv/path_kernels.cuh"
#include "kernels/gemv/q4k_lane_dot.cuh"
#include "kernels/gemv/warp_reduce.cuh"

namespace qgemv::dev {

__global__ void gemv_chunked_kernel(const BlockQ4K* __restrict__ w, const float* __restrict__ x,
                                    float* __restrict__ y, int n, int k) {
  __shared__ __align__(16) float xs[kChunkValues];
  const int warps = blockDim.x / kWarp, warp = threadIdx.x / kWarp, lane = threadIdx.x % kWarp;
  const int row = blockIdx.x * warps + warp;
  const bool active = row < n;
  const BlockQ4K* wr = w + size_t(active ? row : 0) * (k / kQK);
  float acc = 0.0f;
  for (int c0 = 0; c0 < k; c0 += kChunkValues) {
    const int len = min(kChunkValues, k - c0);
    __syncthreads();
    cta_copy_f32(xs, x + c0, len);
    __syncthreads();
    if (active) acc = q4k_lane_dot_blocks(acc, wr + c0 / kQK, xs, len / kQK, lane);
  }
  acc = lanes_sum(acc);
  if (active && lane == 0) y[row] = acc;
}

void launch_chunked(const GemvLaunch& g, LaunchShape s, cudaStream_t stream) {
  gemv_chunked_kernel<<<s.grid, s.block, 0, stream>>>(g.weights, static_cast<const float*>(g.input),
                                                      g.output, int(g.n), int(g.k));
}

}  // namespace qgemv::dev
