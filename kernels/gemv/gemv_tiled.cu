// tiled: the f32 input cached once per CTA in shared memory, outputs_per_block warps each
// computing one row from it. Only for k <= kMaxTiledK (launch.cu sends larger k to chunked).
#include "kernels/gemv/path_kernels.cuh"
#include "kernels/gemv/q4k_lane_dot.cuh"
#include "kernels/gemv/warp_reduce.cuh"

namespace qgemv::dev {

__global__ void gemv_tiled_kernel(const BlockQ4K* __restrict__ w, const float* __restrict__ x,
                                  float* __restrict__ y, int n, int k) {
  __shared__ __align__(16) float xs[kMaxTiledK];
  const int warps = blockDim.x / kWarp, warp = threadIdx.x / kWarp, lane = threadIdx.x % kWarp;
  const float4* x4 = reinterpret_cast<const float4*>(x);
  for (int i = threadIdx.x; i < k / 4; i += blockDim.x) reinterpret_cast<float4*>(xs)[i] = x4[i];
  __syncthreads();
  const int row = blockIdx.x * warps + warp;
  if (row >= n) return;
  const int nb = k / kQK;
  const BlockQ4K* wr = w + size_t(row) * nb;
  float acc = 0.0f;
  for (int b = 0; b < nb; ++b) acc += q4k_lane_dot(wr[b], xs + b * kQK, lane);
  acc = lanes_sum(acc);
  if (lane == 0) y[row] = acc;
}

void launch_tiled(const GemvLaunch& g, LaunchShape s, cudaStream_t stream) {
  gemv_tiled_kernel<<<s.grid, s.block, 0, stream>>>(g.weights, static_cast<const float*>(g.input),
                                                    g.output, int(g.n), int(g.k));
}

}  // namespace qgemv::dev
