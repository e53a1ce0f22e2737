// Deliberately broken Q8_1 quantizers for `qgemv verify --quantizer` (properties/gpu/
// external_quantizer_test.cpp): q8_quantize_kernel's numerics (kernels/gemv/q8_quantize.cu) with
// one bug each, written to compile with NVRTC alone (no headers, no host code). Each must
// be rejected with a failure that names what it gets wrong.
namespace {

struct BlockQ8_1 {  // kernels/formats/blocks.h
  signed char qs[32];
  unsigned short d, s;  // fp16
};
enum class Q8Sum { kSumOfX, kScaledSumOfQ };

enum class Bug { kNone, kDOver128, kSAlwaysScaled, kLastLaneDropped };

__device__ unsigned short to_fp16(float f) {
  unsigned short h;
  asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f));
  return h;
}

__device__ float from_fp16(unsigned short h) {
  float f;
  asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
  return f;
}

template <typename T, typename Op>
__device__ T lanes(T v, Op op) {
  for (int offset = 16; offset > 0; offset >>= 1) v = op(v, __shfl_xor_sync(~0u, v, offset));
  return v;
}

template <Bug bug>
__device__ void quantize(const float* x, BlockQ8_1* out, long long values, unsigned* status,
                         Q8Sum convention) {
#if __CUDA_ARCH__ >= 900
  // Launched as a dependent launch on sm_90: x is read only after the previous kernel is done.
  asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
  const long long block = ((long long)blockIdx.x * blockDim.x + threadIdx.x) / 32;
  const int lane = threadIdx.x % 32;
  if (block * 32 >= values) return;
  const long long i = block * 32 + lane;
  float v = i < values ? x[i] : 0.0f;
  if (bug == Bug::kLastLaneDropped && lane == 31) v = 0.0f;
  const float amax = lanes(fabsf(v), [](float a, float b) { return fmaxf(a, b); });
  const float sum = lanes(v, [](float a, float b) { return a + b; });
  const float d = amax / (bug == Bug::kDOver128 ? 128.0f : 127.0f);
  const int q = amax == 0.0f ? 0 : int(roundf(v / d));
  out[block].qs[lane] = (signed char)q;
  const float scaled = d * float(lanes(q, [](int a, int b) { return a + b; }));
  const bool use_scaled = bug == Bug::kSAlwaysScaled || convention == Q8Sum::kScaledSumOfQ;
  const float s = use_scaled ? scaled : sum;
  if (lane != 0) return;
  out[block].d = to_fp16(d);
  out[block].s = to_fp16(s);
  if (status != nullptr && !(isfinite(from_fp16(to_fp16(d))) && isfinite(from_fp16(to_fp16(s)))))
    atomicOr(status, 1u);
}

}  // namespace

// An entry with q8_quantize_kernel's parameters that quantizes with `bug`.
#define QUANTIZER(name, bug)                                                        \
  extern "C" __global__ void name(const float* x, BlockQ8_1* out, long long values, \
                                  unsigned* status, Q8Sum convention) {             \
    quantize<bug>(x, out, values, status, convention);                              \
  }

// The same numerics as q8_quantize_kernel, to show that this file's harness is not the bug.
QUANTIZER(q8_correct, Bug::kNone)
// d = amax / 128: d is wrong in every block, and the value of largest magnitude quantizes to
// +-128, which a signed char wraps.
QUANTIZER(q8_d_over_128, Bug::kDOver128)
// s = d * sum q whatever the convention asks for: wrong for the paths that read s = sum x.
QUANTIZER(q8_s_always_scaled, Bug::kSAlwaysScaled)
// Lane 31's value is taken as 0: its q is 0 and the block's amax and sum leave it out.
QUANTIZER(q8_last_lane_dropped, Bug::kLastLaneDropped)
