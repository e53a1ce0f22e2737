// The simplest Q4_K GEMV on f32 input, written for the tests only and loaded from this source
// through NVRTC as an external kernel: one warp per row, each lane 8 values of each block.
// Self-contained: the block layout is GGUF's, 144 bytes.
//   launch: input=f32;threads=32;rows_per_cta=1;params=w,x,y,n,k
// With compile_options=-DWITH_CUDA_FP16 it reads the fp16 scales through <cuda_fp16.h>, as most
// quantized kernels do: the toolkit's headers must then be on NVRTC's include path.
#ifdef WITH_CUDA_FP16
#include <cuda_fp16.h>
__device__ float half_to_float(unsigned short h) { return __half2float(__ushort_as_half(h)); }
#else
__device__ float half_to_float(unsigned short h) {
  float f;
  asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
  return f;
}
#endif

// Sub-block j's 6-bit scale and min, as ggml's get_scale_min_k4 unpacks them.
__device__ void scale_min(int j, const unsigned char* s, int* scale, int* min) {
  if (j < 4) {
    *scale = s[j] & 63;
    *min = s[j + 4] & 63;
  } else {
    *scale = (s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4);
    *min = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
  }
}

extern "C" __global__ void warp_per_row_q4k(const unsigned char* w, const float* x, float* y,
                                            int n, int k) {
  const int row = blockIdx.x, lane = threadIdx.x, blocks = k / 256;
  if (row >= n) return;
  const unsigned char* wr = w + (unsigned long long)row * blocks * 144;
  float acc = 0.0f;
  for (int b = 0; b < blocks; ++b) {
    const unsigned char* blk = wr + b * 144;
    const float d = half_to_float(blk[0] | (blk[1] << 8));
    const float dmin = half_to_float(blk[2] | (blk[3] << 8));
    float part = 0.0f;  // the block's share first: a short rounding chain per lane
    for (int i = lane; i < 256; i += 32) {
      const int group = i / 64, high = (i % 64) / 32, l = i % 32;
      const int q = (blk[16 + 32 * group + l] >> (4 * high)) & 0xF;
      int scale, min;
      scale_min(i / 32, blk + 4, &scale, &min);
      part += (d * float(scale) * float(q) - dmin * float(min)) * x[b * 256 + i];
    }
    acc += part;
  }
  for (int o = 16; o > 0; o >>= 1) acc += __shfl_xor_sync(0xffffffffu, acc, o);
  if (lane == 0) y[row] = acc;
}
