#pragma once
// Host entry points of the kernels: enqueue on a stream, never synchronise. The caller checks
// arguments (the executor does); these only derive the launch and report the launch error.
#include <cuda_runtime_api.h>

#include <cstdint>

#include "kernels/formats/blocks.h"
#include "kernels/launch/gemv_path.h"

namespace qgemv {

struct GemvLaunch {
  Path path;
  const BlockQ4K* weights;  // n rows of k/256 blocks, 16-byte aligned
  const void* input;        // k floats, or k/32 BlockQ8_1 on Q8 paths; 16-byte aligned
  float* output;            // n floats
  int64_t n;
  int64_t k;
  int outputs_per_block;  // tiled and chunked only
  unsigned* status;       // device word; bit 0 set when an input overflows Q8_1
};

cudaError_t launch_gemv(const GemvLaunch& g, cudaStream_t stream);

// `convention`: what each block's s holds (the reading path's PathInfo::q8_sum).
cudaError_t launch_q8_quantize(const float* input, BlockQ8_1* output, int64_t values,
                               unsigned* status, cudaStream_t stream, Q8Sum convention);

// Name of the kernel that launch_gemv runs for (p, k), for error messages.
const char* gemv_kernel_name(Path p, int64_t k);

inline constexpr unsigned kStatusQ8Overflow = 1u;

}  // namespace qgemv
