// q8_quantize: f32 -> Q8_1, one warp per 32 values, with the numerics reference/q8_1.cpp
// specifies (its s is summed in this kernel's butterfly order). A tail past `values` is zero.
#include "kernels/gemv/dependent_launch.cuh"
#include "kernels/gemv/path_kernels.cuh"
#include "kernels/gemv/q8_activation.cuh"
#include "kernels/gemv/warp_reduce.cuh"

namespace qgemv::dev {

// x is read after the wait, so not __restrict__ (see gemv_mwv.cu's inputs).
__global__ void q8_quantize_kernel(const float* x, BlockQ8_1* __restrict__ out, int64_t values,
                                   unsigned* status, Q8Sum convention) {
  allow_dependent_launch();
  // L2 is where every write to device memory lands, so a CTA's slice of x fetched there before
  // the wait still reads as the previous kernel left it after the wait; when x was written long
  // before (as in the benchmarks' token), the read from device memory overlaps the wait.
  const int64_t first = int64_t(blockIdx.x) * blockDim.x;  // one value per thread
  const uint32_t bytes = uint32_t(min(int64_t(blockDim.x), values - first) * 4) & ~15u;
  if (threadIdx.x == 0 && first < values && bytes > 0 && is_aligned_16(x + first))
    prefetch_to_l2(x + first, bytes);
  wait_for_previous_grid();  // x may be the previous kernel's output
  const int64_t block = (int64_t(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
  const int lane = threadIdx.x % kWarp;
  if (block * kQ8Values >= values) return;  // whole warps leave together
  const int64_t i = block * kQ8Values + lane;
  const float v = i < values ? x[i] : 0.0f;
  const float amax = lanes_max(fabsf(v));
  const float sum = lanes_sum(v);
  const float d = amax / 127.0f;
  const int q = amax == 0.0f ? 0 : int(roundf(v / d));
  out[block].qs[lane] = int8_t(q);
  // The integer sum is exact in any order, so d times it is the CPU's product bit for bit.
  const float s = convention == Q8Sum::kScaledSumOfQ ? d * float(lanes_sum(q)) : sum;
  if (lane != 0) return;
  const __half dh = __float2half_rn(d), sh = __float2half_rn(s);
  out[block].d = __half_as_ushort(dh);
  out[block].s = __half_as_ushort(sh);
  if (status != nullptr && !(isfinite(__half2float(dh)) && isfinite(__half2float(sh))))
    atomicOr(status, kStatusQ8Overflow);
}

void launch_q8_quantize(const float* x, BlockQ8_1* out, int64_t values, unsigned* status,
                        Q8Sum convention, LaunchShape s, cudaStream_t stream) {
  launch_after_previous(q8_quantize_kernel, s, stream, x, out, values, status, convention);
}

}  // namespace qgemv::dev
