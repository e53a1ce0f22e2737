// tiled: the f32 input cached once per CTA in shared memory, outputs_per_block warps each
// computing one row from it. Only for k <= kMaxTiledK (the tiled row of builtin_paths.cu sends
// larger k to chunked).
#include "kernels/gemv/path_kernels.cuh"
#include "kernels/gemv/q4k_lane_dot.cuh"
#include "kernels/gemv/warp_reduce.cuh"

namespace qgemv::dev {

__global__ void gemv_tiled_kernel(const BlockQ4K* __restrict__ w, const float* __restrict__ x,
                                  float* __restrict__ y, int n, int k) {
  __shared__ __align__(16) float xs[kMaxTiledK];
  const int warps = blockDim.x / kWarp, warp = threadIdx.x / kWarp, lane = threadIdx.x % kWarp;
  cta_copy_f32(xs, x, k);
  __syncthreads();
  const int row = blockIdx.x * warps + warp;
  if (row >= n) return;
  const int nb = k / kQK;
  const float acc = lanes_sum(q4k_lane_dot_blocks(0.0f, w + size_t(row) * nb, xs, nb, lane));
  if (lane == 0) y[row] = acc;
}

void launch_tiled(const GemvLaunch& g, LaunchShape s, cudaStream_t stream) {
  gemv_tiled_kernel<<<s.grid, s.block, 0, stream>>>(g.weights, static_cast<const float*>(g.input),
                                                    g.output, int(g.n), int(g.k));
}

}  // namespace qgemv::dev
