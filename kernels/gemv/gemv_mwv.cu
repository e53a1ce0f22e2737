// mwv: the production path. Four lanes share a Q4_K block: each reads the header (a broadcast
// within the four) and two 16-byte qs chunks, c and c + 4, so a lane's sub-blocks are
// {2g, 2g+1} and {2g+4, 2g+5} with g = c / 2, and the scale unpacking below needs no branch.
// On long rows eight lanes share a block, one chunk c each (sub-blocks 2g and 2g+1).
// launch_config.h picks lanes per block and per row: short rows share a warp, long rows spread
// over several warps, so that both keep enough loads in flight.
#include <stdexcept>
#include <string>

#include "kernels/gemv/dependent_launch.cuh"
#include "kernels/gemv/path_kernels.cuh"
#include "kernels/gemv/q4k_header.cuh"
#include "kernels/gemv/q4k_lane_dot.cuh"
#include "kernels/gemv/warp_reduce.cuh"

namespace qgemv::dev {
namespace {

struct MwvLane {
  Q4KHeader h;
  uint4 qa, qb;  // qs chunks c and c + 4
  int g;         // 64-value groups g and g + 2
  int half;      // which 16 values of each sub-block
};

// Inputs are read after wait_for_previous_grid(), so never through __restrict__: that lets the
// compiler use non-coherent loads (ld.global.nc), which the dependent-launch memory model does
// not cover (llama.cpp hit this race, ggml-org/llama.cpp#24030). check-resource-usage enforces it.
struct F32Input {
  const float* x;

  __device__ __forceinline__ float chunk(const Q4KHeader& h, uint4 q, int group, int half,
                                         int block) const {
    const float4* lo = reinterpret_cast<const float4*>(x + block * kQK + 64 * group + 16 * half);
    const float4* hi = lo + 8;  // 32 values further on
    const uint32_t words[4] = {q.x, q.y, q.z, q.w};
    float lo_qx = 0, lo_x = 0, hi_qx = 0, hi_x = 0;
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const NibbleSums l = nibble_dot4(words[i], 0, lo[i]), u = nibble_dot4(words[i], 4, hi[i]);
      lo_qx += l.qx, lo_x += l.x, hi_qx += u.qx, hi_x += u.x;
    }
    const ScaleMin sl = q4k_scale_min(2 * group, h), sh = q4k_scale_min(2 * group + 1, h);
    return (h.d * sl.scale) * lo_qx - (h.dmin * sl.min) * lo_x + (h.d * sh.scale) * hi_qx -
           (h.dmin * sh.min) * hi_x;
  }

  __device__ __forceinline__ float operator()(const MwvLane& l, int block) const {
    return chunk(l.h, l.qa, l.g, l.half, block) + chunk(l.h, l.qb, l.g + 2, l.half, block);
  }
};

// 16 Q8_1 values of one sub-block. Sub-block j of the buffer starts at byte 36 j: 8-byte
// aligned for even j, 4-byte aligned for odd j; the loads are as wide as that allows.
template <bool kOdd>
__device__ __forceinline__ int4 q8_sixteen(const BlockQ8_1& a, int half) {
  const char* p = reinterpret_cast<const char*>(a.qs) + 16 * half;
  if constexpr (kOdd) {
    const int2 mid = *reinterpret_cast<const int2*>(p + 4);
    return {*reinterpret_cast<const int*>(p), mid.x, mid.y, *reinterpret_cast<const int*>(p + 12)};
  } else {
    const int2 a0 = *reinterpret_cast<const int2*>(p), a1 = *reinterpret_cast<const int2*>(p + 8);
    return {a0.x, a0.y, a1.x, a1.y};
  }
}

__device__ __forceinline__ int dot16(int4 nibbles, int4 q8) {
  int s = __dp4a(nibbles.x, q8.x, 0);
  s = __dp4a(nibbles.y, q8.y, s);
  s = __dp4a(nibbles.z, q8.z, s);
  return __dp4a(nibbles.w, q8.w, s);
}

__device__ __forceinline__ int4 low_nibbles(uint4 q) {
  return {int(q.x & 0x0F0F0F0Fu), int(q.y & 0x0F0F0F0Fu), int(q.z & 0x0F0F0F0Fu),
          int(q.w & 0x0F0F0F0Fu)};
}

__device__ __forceinline__ int4 high_nibbles(uint4 q) {
  return low_nibbles(make_uint4(q.x >> 4, q.y >> 4, q.z >> 4, q.w >> 4));
}

// d and s of a Q8_1 block, read as one word.
__device__ __forceinline__ float2 q8_d_s(const BlockQ8_1& a) {
  return __half22float2(*reinterpret_cast<const __half2*>(&a.d));
}

struct Q8Input {
  const BlockQ8_1* xq;

  // One qs chunk: 16 values of sub-blocks 2 group and 2 group + 1.
  __device__ __forceinline__ float chunk(const Q4KHeader& h, uint4 q, int group, int half,
                                         int block) const {
    const BlockQ8_1* a = xq + block * kSubBlocks + 2 * group;
    const int s0 = dot16(low_nibbles(q), q8_sixteen<false>(a[0], half));
    const int s1 = dot16(high_nibbles(q), q8_sixteen<true>(a[1], half));
    const float2 ds0 = q8_d_s(a[0]), ds1 = q8_d_s(a[1]);
    // lane_scales unpacks groups g and g + 2 at once; a select, not a branch, picks this one.
    const LaneScales sc = lane_scales(h, group & 1);
    const uint32_t scales = group < 2 ? sc.sc_a : sc.sc_b, mins = group < 2 ? sc.m_a : sc.m_b;
    const float dot = ds0.x * float(int(scales & 0xFF) * s0) + ds1.x * float(int(scales >> 8) * s1);
    const float offset = half != 0 ? 0.0f : float(mins & 0xFF) * ds0.y + float(mins >> 8) * ds1.y;
    return h.d * dot - h.dmin * offset;
  }

  __device__ __forceinline__ float operator()(const MwvLane& l, int block) const {
    const BlockQ8_1* a = xq + block * kSubBlocks + 2 * l.g;  // sub-blocks 2g, 2g+1, 2g+4, 2g+5
    const int s0 = dot16(low_nibbles(l.qa), q8_sixteen<false>(a[0], l.half));
    const int s1 = dot16(high_nibbles(l.qa), q8_sixteen<true>(a[1], l.half));
    const int s4 = dot16(low_nibbles(l.qb), q8_sixteen<false>(a[4], l.half));
    const int s5 = dot16(high_nibbles(l.qb), q8_sixteen<true>(a[5], l.half));
    const float2 ds0 = q8_d_s(a[0]), ds1 = q8_d_s(a[1]), ds4 = q8_d_s(a[4]), ds5 = q8_d_s(a[5]);
    const LaneScales sc = lane_scales(l.h, l.g);
    // sc * sumi is exact in an int (< 2^21) and in the float it converts to.
    const float dot =
        ds0.x * float(int(sc.sc_a & 0xFF) * s0) + ds1.x * float(int(sc.sc_a >> 8) * s1) +
        ds4.x * float(int(sc.sc_b & 0xFF) * s4) + ds5.x * float(int(sc.sc_b >> 8) * s5);
    // The offset term belongs to whole sub-blocks, so only the first half adds it.
    const float mins = l.half != 0 ? 0.0f
                                   : float(sc.m_a & 0xFF) * ds0.y + float(sc.m_a >> 8) * ds1.y +
                                         float(sc.m_b & 0xFF) * ds4.y + float(sc.m_b >> 8) * ds5.y;
    return l.h.d * dot - l.h.dmin * mins;
  }
};

template <int kLanesPerBlock, int kThreadsPerRow, typename Input>
__global__ void __launch_bounds__(kMwvThreads)
    gemv_mwv_kernel(const BlockQ4K* __restrict__ w, Input in, float* __restrict__ y, int n, int k) {
  static_assert(kLanesPerBlock == 4 || kLanesPerBlock == 8,
                "Lanes per block must be 4 (two qs chunks each) or 8 (one chunk each).");
  static_assert(kThreadsPerRow >= kLanesPerBlock,
                "A row's lanes must cover at least one Q4_K block's lanes.");
  static_assert(kMwvThreads % kThreadsPerRow == 0,
                "A CTA must hold whole rows, or rows would straddle CTAs.");
  constexpr int kSlots = kThreadsPerRow / kLanesPerBlock;  // blocks of a row per step
  constexpr int kWarpsPerRow = kThreadsPerRow > kWarp ? kThreadsPerRow / kWarp : 1;
  constexpr int kReduceWidth = kThreadsPerRow < kWarp ? kThreadsPerRow : kWarp;
  const int row = blockIdx.x * (kMwvThreads / kThreadsPerRow) + threadIdx.x / kThreadsPerRow;
  const int t = threadIdx.x % kThreadsPerRow, c = t % kLanesPerBlock;
  const int nb = k / kQK;
  allow_dependent_launch();
  // The weights depend on no earlier kernel: fetch the row's first step while the previous
  // kernel finishes (no further: whole long rows fetched at once measured slower).
  if (t == 0 && row < n)
    prefetch_to_l2(w + size_t(row) * nb, uint32_t(min(nb, kSlots)) * uint32_t(sizeof(BlockQ4K)));
  wait_for_previous_grid();
  float acc = 0.0f;
  if (row < n) {  // a row's lanes are whole warps, or share a warp with whole rows
    const uint4* wr = reinterpret_cast<const uint4*>(w + size_t(row) * nb);
    for (int b = t / kLanesPerBlock; b < nb; b += kSlots) {
      const uint4* blk = wr + size_t(b) * (sizeof(BlockQ4K) / sizeof(uint4));
      if constexpr (kLanesPerBlock == 8)
        acc += in.chunk(q4k_header(blk[0]), blk[1 + c], c >> 1, c & 1, b);
      else
        acc += in(MwvLane{q4k_header(blk[0]), blk[1 + c], blk[5 + c], c >> 1, c & 1}, b);
    }
  }
  acc = lanes_sum<kReduceWidth>(acc);
  if constexpr (kWarpsPerRow == 1) {
    if (t == 0 && row < n) y[row] = acc;
  } else {
    __shared__ float partial[kMwvThreads / kWarp];
    const int warp = threadIdx.x / kWarp;
    if (threadIdx.x % kWarp == 0) partial[warp] = acc;
    __syncthreads();
    if (t == 0 && row < n) {
      float sum = partial[warp];
      for (int i = 1; i < kWarpsPerRow; ++i) sum += partial[warp + i];
      y[row] = sum;
    }
  }
}

// A shape without a kernel instance is a bug in whatever made it: launching nothing would leave
// the output unwritten, so it throws before anything is enqueued.
[[noreturn]] void no_instance(LaunchShape s) {
  throw std::invalid_argument("mwv has no kernel instance for " + std::to_string(s.lanes_per_row) +
                              " lanes a row, " + std::to_string(s.lanes_per_block) +
                              " lanes a block and " + std::to_string(s.block) +
                              " threads a CTA (launch_config.h, mwv_shape_has_instance)");
}

template <int kLanesPerBlock, int kThreadsPerRow, typename Input>
void launch_rows(const GemvLaunch& g, LaunchShape s, Input in, cudaStream_t stream) {
  if constexpr (kThreadsPerRow >= kLanesPerBlock)
    launch_after_previous(gemv_mwv_kernel<kLanesPerBlock, kThreadsPerRow, Input>, s, stream,
                          g.weights, in, g.output, int(g.n), int(g.k));
  else
    no_instance(s);
}

template <int kLanesPerBlock, typename Input>
void launch_lanes(const GemvLaunch& g, LaunchShape s, Input in, cudaStream_t stream) {
  switch (s.lanes_per_row) {
    case 4:
      return launch_rows<kLanesPerBlock, 4>(g, s, in, stream);
    case 8:
      return launch_rows<kLanesPerBlock, 8>(g, s, in, stream);
    case 16:
      return launch_rows<kLanesPerBlock, 16>(g, s, in, stream);
    case 32:
      return launch_rows<kLanesPerBlock, 32>(g, s, in, stream);
    case 64:
      return launch_rows<kLanesPerBlock, 64>(g, s, in, stream);
    case 128:
      return launch_rows<kLanesPerBlock, 128>(g, s, in, stream);
    default:
      no_instance(s);
  }
}

template <typename Input>
void launch_mwv_kernel(const GemvLaunch& g, LaunchShape s, Input in, cudaStream_t stream) {
  if (!mwv_shape_has_instance(s)) no_instance(s);
  if (s.lanes_per_block == 8) return launch_lanes<8>(g, s, in, stream);
  launch_lanes<4>(g, s, in, stream);
}

}  // namespace

void launch_mwv(const GemvLaunch& g, LaunchShape s, cudaStream_t stream) {
  launch_mwv_kernel(g, s, F32Input{static_cast<const float*>(g.input)}, stream);
}

void launch_mwv_q8(const GemvLaunch& g, LaunchShape s, cudaStream_t stream) {
  launch_mwv_kernel(g, s, Q8Input{static_cast<const BlockQ8_1*>(g.input)}, stream);
}

}  // namespace qgemv::dev
