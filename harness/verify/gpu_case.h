#pragma once
// Generated cases made on the GPU. Drawing and quantizing a case's weights on the CPU took about
// nine tenths of a verification case's CPU time; on the GPU it takes milliseconds. The weights
// are drawn with Philox (one subsequence per Q4_K block, so each row depends only on the seed
// and its position) and quantized by the reference's own block quantizer
// (reference/q4k_quantize_block.h), compiled without fused multiply-add so that it quantizes
// exactly as the CPU does. The input x is drawn on the CPU as testing::materialize draws it.
// A case replays exactly from its seed on the same build (qgemv verify --seed).
#include <cuda_runtime.h>

#include <span>

#include "harness/verify/random_case.h"

namespace qgemv::testing {

// The case's weights and input; weights of the raw-blocks kind are drawn on the CPU (cheap, and
// their rejection sampling of fp16 scales is not worth a second implementation).
GemvData materialize_on_gpu(const GemvCase& c, cudaStream_t stream);

// q4k_quantize on the GPU, for the check that both quantize alike.
Q4KMatrix gpu_q4k_quantize(std::span<const float> x, int64_t n, int64_t k, cudaStream_t stream);

// Launchers of gpu_case.cu.
namespace detail {
void launch_random_q4k(BlockQ4K* out, int64_t blocks, uint64_t seed, Values source,
                       cudaStream_t stream);
void launch_q4k_quantize(const float* x, BlockQ4K* out, int64_t blocks, cudaStream_t stream);
}  // namespace detail

}  // namespace qgemv::testing
