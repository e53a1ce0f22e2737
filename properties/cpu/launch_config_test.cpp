// Launch shapes cover every row exactly once and respect the kernels' assumptions.
#include "kernels/launch/launch_config.h"

#include <gtest/gtest.h>

#include "kernels/launch/launch.h"
#include "kernels/launch/path_registry.h"

namespace qgemv {
namespace {

TEST(LaunchConfig, TiledFallsBackToChunkedAboveSharedMemoryLimit) {
  EXPECT_EQ(resolved_path(Path::kTiled, 12288), Path::kTiled);
  EXPECT_EQ(resolved_path(Path::kTiled, 12544), Path::kChunked);
  EXPECT_EQ(resolved_path(Path::kMwv, 1 << 20), Path::kMwv);
}

TEST(LaunchConfig, EveryRowCovered) {
  for (Path p : builtin_paths())
    for (int64_t n : {1, 7, 8, 9, 151936})
      for (int opb : {1, 2, 4, 8}) {
        const LaunchShape s = gemv_launch_shape(p, n, 4096, opb);
        const bool mwv = p->shape == mwv_shape;
        const int64_t rows_per_cta = (p == Path::kTiled || p == Path::kChunked) ? opb
                                     : mwv ? kMwvThreads / s.lanes_per_row
                                           : 1;
        EXPECT_TRUE(!mwv || mwv_shape_has_instance(s)) << path_name(p) << " n=" << n;
        EXPECT_GE(int64_t(s.grid) * rows_per_cta, n);
        EXPECT_LT(int64_t(s.grid - 1) * rows_per_cta, n);
        EXPECT_EQ(s.block % kWarp, 0u);
        EXPECT_LE(s.block, 1024u);
      }
}

TEST(LaunchConfig, OutputsPerBlockChecked) {
  EXPECT_THROW(gemv_launch_shape(Path::kTiled, 8, 256, 3), std::invalid_argument);
  EXPECT_THROW(gemv_launch_shape(Path::kChunked, 8, 256, 16), std::invalid_argument);
  EXPECT_NO_THROW(gemv_launch_shape(Path::kQ4K, 8, 256, 3));  // ignored by other paths
}

TEST(LaunchConfig, MwvLanesPerBlockFollowRowLength) {
  EXPECT_EQ(mwv_lanes_per_block(256), 4);
  EXPECT_EQ(mwv_lanes_per_block(3584), 4);      // 7b gate: 14 blocks, one step at 4 lanes
  EXPECT_EQ(mwv_lanes_per_block(32 * 256), 4);  // 32 blocks: exactly one step of a CTA
  EXPECT_EQ(mwv_lanes_per_block(33 * 256), 8);  // one more: two steps at 4 lanes
  EXPECT_EQ(mwv_lanes_per_block(8960), 8);      // 1.5b down
  EXPECT_EQ(mwv_lanes_per_block(18944), 8);     // 7b down
}

TEST(LaunchConfig, MwvLanesPerRowFollowShape) {
  constexpr int64_t target = mwv_target_threads(kH100ResidentThreads);
  EXPECT_EQ(mwv_threads_per_row(1, 256, target), 4);                // one block: one slot
  EXPECT_EQ(mwv_threads_per_row(1, 256 * 3, target), 16);           // 3 blocks in one step
  EXPECT_EQ(mwv_threads_per_row(4, 1 << 20, target), kMwvThreads);  // few long rows: whole CTAs
  EXPECT_EQ(mwv_threads_per_row(1 << 20, 1 << 20, target), 8);      // many rows: one block each
  // qwen2.5-7b's stacked gate+up: its 14 blocks per row in one step (32 lanes measured slower).
  EXPECT_EQ(mwv_threads_per_row(2 * 18944, 3584, target), 64);
  for (int64_t n : {1, 3, 256, 1536, 8960, 18944})
    for (int64_t k : {256, 1536, 3584, 8448, 18944}) {
      const int t = mwv_threads_per_row(n, k, target), lanes = mwv_lanes_per_block(k);
      EXPECT_EQ(t & (t - 1), 0) << n << "x" << k;
      EXPECT_GE(t, lanes);
      EXPECT_LE(t, kMwvThreads);
      EXPECT_LT(t / 2 / lanes, k / kQK);  // never a whole idle half
      const LaunchShape s = mwv_shape_for(n, k, kH100ResidentThreads);
      EXPECT_EQ(s.block, unsigned(kMwvThreads));
      EXPECT_EQ(s.lanes_per_row, t);
      EXPECT_EQ(s.lanes_per_block, lanes);
      EXPECT_GE(int64_t(s.grid) * (kMwvThreads / t), n);  // every row has its lanes
      EXPECT_LT(int64_t(s.grid - 1) * (kMwvThreads / t), n);
      EXPECT_TRUE(mwv_shape_has_instance(s)) << n << "x" << k;
    }
}

// Every shape the rule gives on devices from a tenth of an H100 to ten times one has a kernel
// instance; shapes no rule gives have none, and the launcher throws for them before it
// enqueues anything (so no device is needed to see it).
TEST(LaunchConfig, MwvLauncherThrowsForAShapeWithoutAnInstance) {
  for (int64_t resident :
       {kH100ResidentThreads / 10, kH100ResidentThreads, 10 * kH100ResidentThreads})
    for (int64_t n : {1, 37, 896, 8960, 151936})
      for (int64_t k : {256, 3584, 8192, 8448, 18944, 1 << 17})
        EXPECT_TRUE(mwv_shape_has_instance(mwv_shape_for(n, k, resident))) << n << "x" << k;
  const LaunchShape good = mwv_shape_for(37, 4096, kH100ResidentThreads);
  auto with = [&](int lanes_per_row, int lanes_per_block, unsigned block = kMwvThreads) {
    LaunchShape s = good;
    s.lanes_per_row = lanes_per_row;
    s.lanes_per_block = lanes_per_block;
    s.block = block;
    return s;
  };
  const LaunchShape bad[] = {with(0, 4),       with(2, 4),     with(4, 8),  with(12, 4),
                             with(256, 4),     with(16, 2),    with(16, 0), with(16, 16),
                             with(32, 4, 256), with(32, 4, 64)};
  float out = 0;
  for (Path p : {Path::kMwv, Path::kMwvQ8, Path::kMwvQ8Dsum})
    for (const LaunchShape& s : bad) {
      EXPECT_FALSE(mwv_shape_has_instance(s));
      const GemvLaunch g{p, nullptr, nullptr, &out, 37, 4096, 1, nullptr};
      EXPECT_THROW(p->launch(g, s, nullptr), std::invalid_argument)
          << path_name(p) << " lanes " << s.lanes_per_row << "/" << s.lanes_per_block << " block "
          << s.block;
    }
}

TEST(LaunchConfig, Q8QuantizeCoversTail) {
  const LaunchShape s = q8_quantize_launch_shape(33);
  EXPECT_GE(int64_t(s.grid) * s.block / kWarp, 2);
}

}  // namespace
}  // namespace qgemv

namespace qgemv {
namespace {

TEST(PathRegistry, TheTableIsTheBuiltinPathsAndNamesAreUnique) {
  std::vector<std::string> names;
  for (Path p : builtin_paths()) names.emplace_back(path_name(p));
  EXPECT_EQ(names, (std::vector<std::string>{"q4k", "tiled", "chunked", "dp4a", "q4k_q8", "mwv",
                                             "mwv_q8", "mwv_q8_dsum"}));
  EXPECT_EQ(find_path("mwv_q8"), Path::kMwvQ8);
  EXPECT_FALSE(find_path("no_such_path"));
  EXPECT_THROW(register_path(builtin::q4k), std::invalid_argument);  // the name is taken
  PathInfo nameless = builtin::q4k;
  nameless.name = "";
  EXPECT_THROW(register_path(nameless), std::invalid_argument);
  // Only a path reading q8_quantize's blocks may ask for the other convention for s.
  PathInfo f32_dsum = builtin::dp4a;
  f32_dsum.name = "dp4a_with_d_sum_q";
  f32_dsum.q8_sum = Q8Sum::kScaledSumOfQ;
  EXPECT_THROW(register_path(f32_dsum), std::invalid_argument);
}

TEST(PathRegistry, TiledNamesTheKernelItLaunches) {
  EXPECT_STREQ(gemv_kernel_name(Path::kTiled, kMaxTiledK), "gemv_tiled_kernel");
  EXPECT_STREQ(gemv_kernel_name(Path::kTiled, kMaxTiledK + kQK), "gemv_chunked_kernel");
  EXPECT_STREQ(gemv_kernel_name(Path::kMwvQ8Dsum, 4096), "gemv_mwv_kernel<Q8Input>");
}

}  // namespace
}  // namespace qgemv
