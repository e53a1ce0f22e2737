// Every instance of the mwv kernel (lanes per Q4_K block x lanes per row, both inputs) against
// the reference. The built-in shape gives eight lanes a block and fewer than 128 lanes a row only
// to grids of 33,792 rows and more, which no verified case reaches; these rows force each lane
// count onto small grids and run the production launcher, kernels and rule for lanes per block.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "harness/verify/verify_suite.h"
#include "kernels/launch/launch_config.h"
#include "kernels/launch/path_registry.h"
#include "properties/support/gpu_test.h"

namespace qgemv {
namespace {

constexpr std::array kLanesPerRow = {4, 8, 16, 32, 64, 128};

LaunchShape forced_lanes(const PathInfo& p, int64_t n, int64_t k, int) {
  const int lanes = mwv_lanes_per_block(k);
  const int t = std::max(*static_cast<const int*>(p.context), lanes);
  return {ceil_div_u(n, kMwvThreads / t), unsigned(kMwvThreads), t, lanes};
}

// One registered row per built-in mwv path and lane count, named like "mwv_q8/lanes=16".
struct ForcedPaths {
  std::array<std::string, 2 * kLanesPerRow.size()> names;
  std::array<PathInfo, 2 * kLanesPerRow.size()> infos;
  std::vector<Path> paths;
  ForcedPaths() {
    const Path base[] = {Path::kMwv, Path::kMwvQ8};
    for (size_t b = 0; b < 2; ++b)
      for (size_t i = 0; i < kLanesPerRow.size(); ++i) {
        const size_t j = b * kLanesPerRow.size() + i;
        names[j] = std::string(path_name(base[b])) + "/lanes=" + std::to_string(kLanesPerRow[i]);
        infos[j] = base[b].info();
        infos[j].name = names[j];
        infos[j].shape = forced_lanes;
        infos[j].context = &kLanesPerRow[i];
        paths.push_back(register_path(infos[j]));
      }
  }
};

const ForcedPaths& forced_paths() {
  static const ForcedPaths p;
  return p;
}

TEST(MwvForcedShapes, KeepTheRuleForLanesPerBlockAndCoverEveryRow) {
  // The forced rows keep the production rule for lanes per block and cover every row once.
  for (const Path p : forced_paths().paths)
    for (int64_t k : {4096, 8448}) {
      const LaunchShape s = gemv_launch_shape(p, 37, k, 1);
      EXPECT_EQ(s.lanes_per_block, mwv_lanes_per_block(k));
      EXPECT_GE(s.lanes_per_row, s.lanes_per_block);
      EXPECT_GE(int64_t(s.grid) * (kMwvThreads / s.lanes_per_row), 37);
    }
}

class MwvInstances : public testing::GpuTest {};

TEST_F(MwvInstances, EveryInstanceAgreesWithTheReference) {
  uint64_t seed = 20261127;
  // k = 4096: four lanes a block; 8448 and 12544: eight (8448 is one block past the rule's
  // edge, 12544 past tiled's shared-memory limit, so odd step counts for every lane count).
  for (const Path p : forced_paths().paths)
    for (int64_t k : {4096, 8448, 12544})
      for (int64_t n : {1, 37, 300}) {
        const testing::GemvCase c{.seed = ++seed,
                                  .n = n,
                                  .k = k,
                                  .weights = testing::Weights::kFromNormal,
                                  .input = testing::Values::kNormal};
        const Path one[] = {p};
        const auto f = verify_case(*ex_, one, c, 1);
        for (const std::string& failure : f) ADD_FAILURE() << path_name(p) << ": " << failure;
      }
}

// The check can fail: the same kernels on a grid one CTA short leave the last rows unwritten.
LaunchShape one_cta_short(const PathInfo& p, int64_t n, int64_t k, int opb) {
  LaunchShape s = forced_lanes(p, n, k, opb);
  s.grid -= 1;
  return s;
}

TEST_F(MwvInstances, AGridOneCtaShortIsCaught) {
  static const int lanes = 128;
  static PathInfo info = [] {
    PathInfo i = Path::kMwvQ8.info();
    i.name = "mwv_q8/one-cta-short";
    i.shape = one_cta_short;
    i.context = &lanes;
    return i;
  }();
  static const Path short_grid = register_path(info);
  const Path one[] = {short_grid};
  for (int64_t k : {4096, 8448}) {
    const testing::GemvCase c{.seed = 7, .n = 37, .k = k};
    EXPECT_FALSE(verify_case(*ex_, one, c, 1).empty()) << "k=" << k;
  }
}

}  // namespace
}  // namespace qgemv
