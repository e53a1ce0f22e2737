#include "kernels/formats/fp16_bits.h"
#include "own_gemv_gpu.h"

namespace own {
namespace {

constexpr int kWarp = 32;
constexpr int kSubBlockValues = qgemv::kQK / qgemv::kSubBlocks;  // 32
constexpr int kValuesPerLane = qgemv::kQK / kWarp;               // 8, all in one sub-block

// Lane l takes values 8l..8l+7 of every block of its row. One summand's chain of f32 roundings:
// the weight d*sc*q - dmin*m (1: both products are exact), times x (1), the lane's sum of 8 (8),
// the lane's sum over the k/256 blocks (k/256), the warp's butterfly (5): k/256 + 15.
__global__ void own_gemv_kernel(const qgemv::BlockQ4K* w, const float* x, float* y, int k) {
  const int row = blockIdx.x, lane = threadIdx.x;
  const int blocks = k / qgemv::kQK;
  const int first = kValuesPerLane * lane;
  float acc = 0.0f;
  for (int b = 0; b < blocks; ++b) {
    const qgemv::BlockQ4K& blk = w[size_t(row) * blocks + b];
    const qgemv::ScaleMin sm = qgemv::q4k_scale_min(first / kSubBlockValues, blk.scales);
    const float scale = qgemv::fp16_to_f32(blk.d) * float(sm.scale);
    const float offset = qgemv::fp16_to_f32(blk.dmin) * float(sm.min);
    const float* xb = x + size_t(b) * qgemv::kQK;
    float part = 0.0f;
    for (int i = first; i < first + kValuesPerLane; ++i) {
      const int q = (blk.qs[qgemv::q4k_qs_index(i)] >> qgemv::q4k_nibble_shift(i)) & 0xF;
      part += (scale * float(q) - offset) * xb[i];
    }
    acc += part;
  }
  for (int offset = kWarp / 2; offset > 0; offset /= 2)
    acc += __shfl_xor_sync(0xFFFFFFFFu, acc, offset);
  if (lane == 0) y[row] = acc;
}

}  // namespace

cudaError_t launch_gpu_gemv(const qgemv::BlockQ4K* w, const float* x, float* y, int n, int k,
                            cudaStream_t stream) {
  own_gemv_kernel<<<n, kWarp, 0, stream>>>(w, x, y, k);
  return cudaPeekAtLastError();
}

}  // namespace own
