// mwv: the production path. Several warps share a row; each group of 8 lanes reads one Q4_K
// block as nine 16-byte loads (the header, broadcast within the group, and one 16-byte qs chunk
// per lane), so a warp streams 4 consecutive blocks per step. Lane c of a group takes
// qs[16c..16c+15]: 16 values of sub-block 2(c/2) (low nibbles) and 16 of the next (high).
#include "kernels/gemv/path_kernels.cuh"
#include "kernels/gemv/q4k_header.cuh"
#include "kernels/gemv/q4k_lane_dot.cuh"
#include "kernels/gemv/warp_reduce.cuh"

namespace qgemv::dev {
namespace {

constexpr int kLanesPerBlock = 8;

struct MwvChunk {
  Q4KHeader h;
  uint4 q;    // this lane's 16 bytes of qs
  int group;  // 64-value group g: sub-blocks 2g and 2g+1
  int half;   // which 16 values of each sub-block
};

struct F32Input {
  const float* __restrict__ x;
  __device__ __forceinline__ float operator()(const MwvChunk& c, int block) const {
    const float4* lo =
        reinterpret_cast<const float4*>(x + block * kQK + 64 * c.group + 16 * c.half);
    const float4* hi = lo + 8;  // 32 values further on
    const uint32_t words[4] = {c.q.x, c.q.y, c.q.z, c.q.w};
    float lo_qx = 0, lo_x = 0, hi_qx = 0, hi_x = 0;
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const NibbleSums l = nibble_dot4(words[i], 0, lo[i]), h = nibble_dot4(words[i], 4, hi[i]);
      lo_qx += l.qx, lo_x += l.x, hi_qx += h.qx, hi_x += h.x;
    }
    const ScaleMin sl = q4k_scale_min(2 * c.group, c.h), sh = q4k_scale_min(2 * c.group + 1, c.h);
    return (c.h.d * sl.scale) * lo_qx - (c.h.dmin * sl.min) * lo_x + (c.h.d * sh.scale) * hi_qx -
           (c.h.dmin * sh.min) * hi_x;
  }
};

struct Q8Input {
  const BlockQ8_1* __restrict__ xq;
  __device__ __forceinline__ float operator()(const MwvChunk& c, int block) const {
    const BlockQ8_1& alo = xq[block * kSubBlocks + 2 * c.group];
    const BlockQ8_1& ahi = xq[block * kSubBlocks + 2 * c.group + 1];
    const int* qlo = reinterpret_cast<const int*>(alo.qs + 16 * c.half);
    const int* qhi = reinterpret_cast<const int*>(ahi.qs + 16 * c.half);
    const uint32_t words[4] = {c.q.x, c.q.y, c.q.z, c.q.w};
    int sumi_lo = 0, sumi_hi = 0;
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      sumi_lo = __dp4a(int(words[i] & 0x0F0F0F0Fu), qlo[i], sumi_lo);
      sumi_hi = __dp4a(int((words[i] >> 4) & 0x0F0F0F0Fu), qhi[i], sumi_hi);
    }
    const ScaleMin sl = q4k_scale_min(2 * c.group, c.h), sh = q4k_scale_min(2 * c.group + 1, c.h);
    // The offset term belongs to whole sub-blocks, so only the first half adds it.
    const float s_lo = c.half == 0 ? half_bits_to_float(alo.s) : 0.0f;
    const float s_hi = c.half == 0 ? half_bits_to_float(ahi.s) : 0.0f;
    return q8_sub_block_term(c.h, sl, sumi_lo, half_bits_to_float(alo.d), s_lo) +
           q8_sub_block_term(c.h, sh, sumi_hi, half_bits_to_float(ahi.d), s_hi);
  }
};

template <typename Input>
__global__ void gemv_mwv_kernel(const BlockQ4K* __restrict__ w, Input in, float* __restrict__ y,
                                int k) {
  __shared__ float partial[kMwvMaxWarps];
  const int row = blockIdx.x, warps = blockDim.x / kWarp;
  const int warp = threadIdx.x / kWarp, lane = threadIdx.x % kWarp;
  const int slot = threadIdx.x / kLanesPerBlock, c = threadIdx.x % kLanesPerBlock;
  const int stride = blockDim.x / kLanesPerBlock, nb = k / kQK;
  const unsigned char* wr = reinterpret_cast<const unsigned char*>(w + size_t(row) * nb);
  float acc = 0.0f;
  for (int b = slot; b < nb; b += stride) {
    const uint4* blk = reinterpret_cast<const uint4*>(wr + size_t(b) * sizeof(BlockQ4K));
    const MwvChunk chunk{q4k_header(blk[0]), blk[1 + c], c >> 1, c & 1};
    acc += in(chunk, b);
  }
  acc = lanes_sum(acc);
  if (lane == 0) partial[warp] = acc;
  __syncthreads();
  if (threadIdx.x == 0) {
    float sum = partial[0];
    for (int i = 1; i < warps; ++i) sum += partial[i];
    y[row] = sum;
  }
}

}  // namespace

void launch_mwv(const GemvLaunch& g, LaunchShape s, cudaStream_t stream) {
  gemv_mwv_kernel<<<s.grid, s.block, 0, stream>>>(
      g.weights, F32Input{static_cast<const float*>(g.input)}, g.output, int(g.k));
}

void launch_mwv_q8(const GemvLaunch& g, LaunchShape s, cudaStream_t stream) {
  gemv_mwv_kernel<<<s.grid, s.block, 0, stream>>>(
      g.weights, Q8Input{static_cast<const BlockQ8_1*>(g.input)}, g.output, int(g.k));
}

}  // namespace qgemv::dev
