#pragma once
// Every kernel's grid, block and shared memory, derived here and nowhere else. Plain C++ so
// that the derivation is tested on machines without a GPU.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "kernels/formats/blocks.h"
#include "kernels/launch/gemv_path.h"

namespace qgemv {

inline constexpr int kWarp = 32;
inline constexpr int64_t kMaxTiledK = 12288;  // 48 KB of f32 input in static shared memory
inline constexpr int kChunkValues = 8192;     // chunked path: f32 values per shared-memory chunk
inline constexpr int kQ8BlocksPerCta = 8;     // q8_quantize: one warp per Q8_1 block
inline constexpr int kMwvThreads = 128;       // mwv: threads per CTA
inline constexpr int kMwvLanesPerBlock = 4;   // mwv: lanes sharing one Q4_K block
inline constexpr int64_t kMwvTargetThreads = 1 << 21;  // mwv: about 8 waves of an H100

struct LaunchShape {
  unsigned grid = 0;
  unsigned block = 0;
};

// tiled falls back to chunked when the f32 input does not fit in shared memory.
inline Path resolved_path(Path p, int64_t k) {
  return p == Path::kTiled && k > kMaxTiledK ? Path::kChunked : p;
}

constexpr bool valid_outputs_per_block(int opb) {
  return opb == 1 || opb == 2 || opb == 4 || opb == 8;
}

// Lanes of one mwv row (4 to 128, a power of two): doubled while the grid has fewer than
// kMwvTargetThreads lanes and one step of the row's lanes does not yet cover its blocks. Measured
// on the H100 (PERF_NOTES): more lanes per row, so fewer sequential steps per lane, won on every
// large shape, and small shapes are latency-bound, so one step per lane is best; 2^21 rather than
// 2^20 lets the stacked 7b/8b gate+up rows cover their blocks in one step.
constexpr int mwv_threads_per_row(int64_t n, int64_t k) {
  const int64_t blocks = k / kQK;
  int t = kMwvLanesPerBlock;
  while (t < kMwvThreads && n * t < kMwvTargetThreads && t < kMwvLanesPerBlock * blocks) t *= 2;
  return t;
}

inline unsigned ceil_div_u(int64_t a, int64_t b) { return unsigned((a + b - 1) / b); }

// The launch-shape rules of the built-in paths (their PathInfo rows point here).
inline LaunchShape warp_per_row_shape(const PathInfo&, int64_t n, int64_t, int) {
  return {unsigned(n), kWarp};
}

inline LaunchShape rows_per_cta_shape(const PathInfo&, int64_t n, int64_t, int outputs_per_block) {
  return {ceil_div_u(n, outputs_per_block), unsigned(kWarp * outputs_per_block)};
}

inline LaunchShape mwv_shape(const PathInfo&, int64_t n, int64_t k, int) {
  return {ceil_div_u(n, kMwvThreads / mwv_threads_per_row(n, k)), unsigned(kMwvThreads)};
}

inline LaunchShape gemv_launch_shape(Path p, int64_t n, int64_t k, int outputs_per_block) {
  if (p->takes_outputs_per_block && !valid_outputs_per_block(outputs_per_block))
    throw std::invalid_argument("outputs_per_block must be 1, 2, 4 or 8, got " +
                                std::to_string(outputs_per_block));
  return p->shape(p.info(), n, k, outputs_per_block);
}

inline LaunchShape q8_quantize_launch_shape(int64_t values) {
  const int64_t blocks = (values + kQ8Values - 1) / kQ8Values;
  return {ceil_div_u(blocks, kQ8BlocksPerCta), unsigned(kWarp * kQ8BlocksPerCta)};
}

}  // namespace qgemv
