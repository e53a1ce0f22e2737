// dp4a and q4k_q8: one warp per row, Q4_K x Q8_1 with DP4A. Lanes 4j..4j+3 take sub-block j of
// each block; the block header is read as 4 words and broadcast by shuffle. The two paths
// differ only in where the Q8_1 activations come from (q8_activation.cuh).
#include "kernels/gemv/path_kernels.cuh"
#include "kernels/gemv/q4k_header.cuh"
#include "kernels/gemv/q8_activation.cuh"
#include "kernels/gemv/warp_reduce.cuh"

namespace qgemv::dev {

template <typename Activations>
__global__ void gemv_q8_warp_kernel(const BlockQ4K* __restrict__ w, Activations act,
                                    float* __restrict__ y, int k) {
  const int row = blockIdx.x, lane = threadIdx.x;
  const int j = lane >> 2, r = lane & 3, shift = 4 * (j & 1);
  const int nb = k / kQK;
  const BlockQ4K* wr = w + size_t(row) * nb;
  float acc = 0.0f;
  for (int b = 0; b < nb; ++b) {
    const BlockQ4K& blk = wr[b];
    const Q4KHeader h = q4k_header_broadcast(blk, lane);
    const uint32_t* qs = reinterpret_cast<const uint32_t*>(blk.qs + 32 * (j >> 1) + 8 * r);
    const int q4a = int((qs[0] >> shift) & 0x0F0F0F0Fu), q4b = int((qs[1] >> shift) & 0x0F0F0F0Fu);
    const Q8Slice a = act(b * kSubBlocks + j, r);
    const int sumi = lanes_sum<4>(__dp4a(q4a, a.w0, __dp4a(q4b, a.w1, 0)));
    if (r == 0) acc += q8_sub_block_term(h, q4k_scale_min(j, h), sumi, a.d, a.s);
  }
  acc = lanes_sum(acc);
  if (lane == 0) y[row] = acc;
}

void launch_dp4a(const GemvLaunch& g, LaunchShape s, cudaStream_t stream) {
  gemv_q8_warp_kernel<<<s.grid, s.block, 0, stream>>>(
      g.weights, Q8FromF32{static_cast<const float*>(g.input), g.status}, g.output, int(g.k));
}

void launch_q4k_q8(const GemvLaunch& g, LaunchShape s, cudaStream_t stream) {
  gemv_q8_warp_kernel<<<s.grid, s.block, 0, stream>>>(
      g.weights, Q8FromBuffer{static_cast<const BlockQ8_1*>(g.input)}, g.output, int(g.k));
}

}  // namespace qgemv::dev
