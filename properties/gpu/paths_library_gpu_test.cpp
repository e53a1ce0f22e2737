// This build's libqgemv_paths.so loaded into the process beside the executable's own paths: two
// static CUDA runtimes sharing the device's primary context, streams and graphs
// (docs/ab-gate.md). Its paths must pass verification in every form, give the built-in paths'
// outputs bit for bit, and be timed A/B: identical sides the same, an injected slowdown slower.
// Without a CUDA device every test reports itself skipped with the reason.
#include <gtest/gtest.h>

#include <cstring>

#include "harness/bench/ab_kernel_bench.h"
#include "harness/bench/bench_weights.h"
#include "harness/executor/transfers.h"
#include "harness/external/paths_library.h"
#include "harness/verify/random_case.h"
#include "harness/verify/verify_suite.h"
#include "kernels/launch/path_registry.h"
#include "properties/support/gpu_test.h"

namespace qgemv {
namespace {

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& e : v) s += e + "\n";
  return s;
}

class PathsLibraryGpu : public testing::GpuTest {
 protected:
  void SetUp() override {
    GpuTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    static const PathsLibrary& lib = load_paths_library(paths_library_beside_executable(), "lib:");
    lib_ = &lib;
    lib.prepare(0);
  }
  const PathsLibrary* lib_ = nullptr;
};

TEST_F(PathsLibraryGpu, LoadedPathsPassVerificationInEveryForm) {
  for (Path p : lib_->paths())
    for (uint64_t seed : {1u, 2u, 3u}) {
      const testing::GemvCase c = testing::draw_case(seed, 2048, 16384);
      const Path one[] = {p};
      const auto f = verify_case(*ex_, one, c, 4);
      EXPECT_TRUE(f.empty()) << path_name(p) << ", " << c.describe() << "\n" << join(f);
    }
}

TEST_F(PathsLibraryGpu, LoadedPathsGiveTheBuiltInOutputsBitForBit) {
  const auto table = builtin_table();
  ASSERT_EQ(lib_->paths().size(), table.size());
  const cudaStream_t s = ex_->stream();
  // A one-step and a long-row (eight lanes per block in mwv) shape.
  for (const auto& [n, k] : {std::pair<int64_t, int64_t>{512, 1536}, {1536, 8960}}) {
    ex_->weights().clear();
    ex_->weights().load("w", random_bench_weights(n, k, uint64_t(n + k)), s);
    ::qgemv::testing::Rng rng{uint64_t(k)};
    const DeviceBuffer<float> x = upload(
        ::qgemv::testing::random_values(rng, size_t(k), ::qgemv::testing::Values::kNormal), s);
    DeviceBuffer<BlockQ8_1> xq(size_t(k / kQ8Values));
    for (size_t i = 0; i < table.size(); ++i) {
      const Path mine(*table[i]), loaded = lib_->paths()[i];
      DeviceBuffer<float> a{size_t(n)}, b{size_t(n)};
      EXPECT_EQ(loaded->q8_sum, mine->q8_sum) << path_name(mine);
      if (path_takes_q8(mine)) {
        ex_->q8_quantize_into(x, xq, k, mine->q8_sum);
        ex_->gemv_into(mine, "w", xq, a, n, k);
        ex_->gemv_into(loaded, "w", xq, b, n, k);
      } else {
        ex_->gemv_into(mine, "w", x, a, n, k);
        ex_->gemv_into(loaded, "w", x, b, n, k);
      }
      const std::vector<float> ya = download(a, s), yb = download(b, s);
      EXPECT_EQ(std::memcmp(ya.data(), yb.data(), ya.size() * sizeof(float)), 0)
          << path_name(mine) << " " << n << " x " << k;
    }
  }
}

KernelCase down_case(Path p) {
  return {"qwen2.5-1.5b", {"down", 1536, 8960}, p, KernelTiming::kBatch, nullptr, ""};
}

TEST_F(PathsLibraryGpu, AbOfOnePathAgainstItselfIsTheSame) {
  KernelBench kb(*ex_, {}, query_device().l2_bytes);
  AbOptions opt;
  opt.threshold = 0.02;  // a smoke test: the statistics are tested on the CPU
  opt.max_rounds = 2;
  AbKernelBench ab(kb, opt, nullptr, 0);
  const Path p = *find_path("lib:mwv_q8");
  const AbResult r = ab.run(down_case(Path::kMwvQ8), p, p);
  EXPECT_EQ(r.verdict, AbVerdict::kSame) << r.ratio.ratio_lo() << " .. " << r.ratio.ratio_hi();
  EXPECT_EQ(r.ratio.pairs, size_t(2 * opt.blocks * r.rounds));
  EXPECT_GT(r.base.median, 0);
}

TEST_F(PathsLibraryGpu, AbNamesASlowdownInjectedIntoTheCandidate) {
  KernelBench kb(*ex_, {}, query_device().l2_bytes);
  AbOptions opt;
  opt.injection = {.active = true, .slowdown_pct = 10, .delay_ns = 0};
  AbKernelBench ab(kb, opt, nullptr, 0);
  const AbResult r = ab.run(down_case(Path::kMwvQ8), *find_path("lib:mwv_q8"), Path::kMwvQ8);
  EXPECT_EQ(r.verdict, AbVerdict::kSlower) << r.ratio.ratio_lo() << " .. " << r.ratio.ratio_hi();
  EXPECT_GT(r.ratio.ratio(), 1.05);
  EXPECT_LT(r.ratio.ratio(), 1.2);
}

}  // namespace
}  // namespace qgemv
