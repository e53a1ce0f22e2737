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
inline constexpr int kMwvWaves = 8;           // mwv: lanes per grid, in waves of the device
// Threads an H100 or H200 holds at once (132 SMs x 2048): what the CPU tests derive with.
inline constexpr int64_t kH100ResidentThreads = 132 * 2048;

struct LaunchShape {
  unsigned grid = 0;
  unsigned block = 0;
  // mwv only: lanes per row and lanes sharing one Q4_K block, which the launcher turns into
  // the kernel's template arguments (so the kernel is chosen where the shape is).
  int lanes_per_row = 0;
  int lanes_per_block = 0;
};

// Threads the current device holds at once (SMs x resident threads per SM, queried once per
// device, any number of devices); kH100ResidentThreads where no device answers (machines
// without a GPU), with the failed call's error left for the caller's launch check.
int64_t device_resident_threads();

// tiled falls back to chunked when the f32 input does not fit in shared memory.
inline Path resolved_path(Path p, int64_t k) {
  return p == Path::kTiled && k > kMaxTiledK ? Path::kChunked : p;
}

constexpr bool valid_outputs_per_block(int opb) {
  return opb == 1 || opb == 2 || opb == 4 || opb == 8;
}

// Lanes sharing one Q4_K block in mwv: 4 (each reads two 16-byte qs chunks), or 8 (one chunk
// each) where the row's blocks do not fit in one step of a CTA at 4 lanes. Measured on the H100
// (PERF_NOTES, "mwv lanes per block"): on such long rows (the 1.5b, 7b and 8b down projections;
// the 0.5b down, 19 blocks, keeps 4) 8 lanes, more steps of half the work each, took 9-13% less
// time; where one step covers the row, 8 lanes doubled the CTAs and lost up to 57%; 1 or 2
// lanes lost everywhere.
constexpr int mwv_lanes_per_block(int64_t k) { return k / kQK > kMwvThreads / 4 ? 8 : 4; }

// Lanes of one mwv row (lanes_per_block to 128, a power of two): doubled while the grid has
// fewer than `target` lanes and one step of the row's lanes does not yet cover its blocks.
// Measured on the H100 (PERF_NOTES): more lanes per row, so fewer sequential steps per lane, won
// on every large shape, and small shapes are latency-bound, so one step per lane is best; 8 waves
// (2,162,688 lanes on the 132-SM H100 SXM and the H200: 8 x 132 x 2048) rather than 4 lets the
// stacked 7b/8b gate+up rows cover their blocks in one step.
constexpr int mwv_threads_per_row(int64_t n, int64_t k, int64_t target) {
  const int64_t blocks = k / kQK;
  const int lanes = mwv_lanes_per_block(k);
  int t = lanes;
  while (t < kMwvThreads && n * t < target && t < lanes * blocks) t *= 2;
  return t;
}

constexpr int64_t mwv_target_threads(int64_t resident_threads) {
  return kMwvWaves * resident_threads;
}

constexpr unsigned ceil_div_u(int64_t a, int64_t b) { return unsigned((a + b - 1) / b); }

// The launch-shape rules of the built-in paths (their PathInfo rows point here).
inline LaunchShape warp_per_row_shape(const PathInfo&, int64_t n, int64_t, int) {
  return {unsigned(n), kWarp};
}

inline LaunchShape rows_per_cta_shape(const PathInfo&, int64_t n, int64_t, int outputs_per_block) {
  return {ceil_div_u(n, outputs_per_block), unsigned(kWarp * outputs_per_block)};
}

constexpr LaunchShape mwv_shape_for(int64_t n, int64_t k, int64_t resident_threads) {
  const int t = mwv_threads_per_row(n, k, mwv_target_threads(resident_threads));
  return {ceil_div_u(n, kMwvThreads / t), unsigned(kMwvThreads), t, mwv_lanes_per_block(k)};
}

// The shapes the mwv launcher has a kernel instance for: a CTA of kMwvThreads, 4 or 8 lanes a
// block, and lanes per row a power of two from the lanes per block to the CTA (so whole rows
// fill a CTA). mwv_shape_for gives only these; the launcher throws on any other rather than
// launch nothing and leave the output unwritten.
constexpr bool mwv_shape_has_instance(const LaunchShape& s) {
  const int t = s.lanes_per_row;
  return s.block == unsigned(kMwvThreads) && (s.lanes_per_block == 4 || s.lanes_per_block == 8) &&
         t >= s.lanes_per_block && t <= kMwvThreads && (t & (t - 1)) == 0;
}

inline LaunchShape mwv_shape(const PathInfo&, int64_t n, int64_t k, int) {
  return mwv_shape_for(n, k, device_resident_threads());
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
