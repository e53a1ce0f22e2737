// The warp-per-row Q4_K GEMV of warp_per_row_gemv.cu written as most quantized kernels are: the
// fp16 scales read through <cuda_fp16.h>, and a compile-time constant from the spec's
// compile_options. Tests that NVRTC finds the toolkit's headers and takes the spec's -D.
//   launch: input=f32;threads=32;rows_per_cta=1;params=w,x,y,n,k;compile_options=-DLANES=32
#include <cuda_fp16.h>

#ifndef LANES
#error LANES (the threads per row) comes from compile_options=-DLANES=32
#endif

__device__ float fp16_at(const unsigned char* p) {
  return __half2float(__ushort_as_half(static_cast<unsigned short>(p[0] | (p[1] << 8))));
}

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

extern "C" __global__ void fp16_header_q4k(const unsigned char* w, const float* x, float* y, int n,
                                           int k) {
  const int row = blockIdx.x, lane = threadIdx.x, blocks = k / 256;
  if (row >= n) return;
  const unsigned char* wr = w + (unsigned long long)row * blocks * 144;
  float acc = 0.0f;
  for (int b = 0; b < blocks; ++b) {
    const unsigned char* blk = wr + b * 144;
    const float d = fp16_at(blk), dmin = fp16_at(blk + 2);
    float part = 0.0f;
    for (int i = lane; i < 256; i += LANES) {
      const int group = i / 64, high = (i % 64) / 32, l = i % 32;
      const int q = (blk[16 + 32 * group + l] >> (4 * high)) & 0xF;
      int scale, min;
      scale_min(i / 32, blk + 4, &scale, &min);
      part += (d * float(scale) * float(q) - dmin * float(min)) * x[b * 256 + i];
    }
    acc += part;
  }
  for (int o = LANES / 2; o > 0; o >>= 1) acc += __shfl_xor_sync(0xffffffffu, acc, o);
  if (lane == 0) y[row] = acc;
}
