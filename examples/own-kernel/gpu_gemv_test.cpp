// The project's CUDA kernel checked with qgemv: first its output from buffers it manages itself,
// with the error model alone; then through qgemv's verification, which runs it among guard
// zones, with a poisoned output and a late input, in three launch forms (including a CUDA
// graph), on generated cases and one-hot inputs. Without a CUDA device both report themselves
// skipped, with the reason.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/executor/device_info.h"
#include "harness/executor/transfers.h"
#include "harness/verify/random_case.h"
#include "harness/verify/verify_suite.h"
#include "kernels/launch/launch.h"
#include "kernels/launch/launch_config.h"
#include "own_gemv_gpu.h"
#include "reference/error_model.h"

namespace {

// own_gemv.cu counts its chain of f32 roundings per summand as k/256 + 15.
const qgemv::PathInfo kGpuGemv{
    .name = "own_gpu_gemv",
    .input = qgemv::Activation::kF32,
    .arithmetic = qgemv::Arithmetic::kF32,
    .rounding_extra = 16,
    .takes_outputs_per_block = false,
    .shape =
        [](const qgemv::PathInfo&, int64_t n, int64_t, int) {
          return qgemv::LaunchShape{unsigned(n), 32};
        },
    .launch =
        [](const qgemv::GemvLaunch& g, qgemv::LaunchShape, cudaStream_t stream) {
          own::launch_gpu_gemv(g.weights, static_cast<const float*>(g.input), g.output, int(g.n),
                               int(g.k), stream);
        },
    .kernel_name = [](const qgemv::PathInfo&, int64_t) { return "own_gemv_kernel"; }};
const qgemv::Path kGpuPath{kGpuGemv};

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& e : v) s += e + "\n";
  return s;
}

class OwnKernel : public ::testing::Test {
 protected:
  void SetUp() override {
    const qgemv::DeviceInfo d = qgemv::query_device();
    if (!d.available) GTEST_SKIP() << "no CUDA device: " << d.reason;
  }
};

TEST_F(OwnKernel, OutputWithinQgemvBound) {
  for (const int64_t k : {256, 4096, 12544}) {
    const qgemv::testing::GemvCase c{.seed = 1, .n = 100, .k = k};
    const qgemv::testing::GemvData d = qgemv::testing::materialize(c);
    const auto w = qgemv::upload(d.w.blocks, nullptr);
    const auto x = qgemv::upload(d.x, nullptr);
    qgemv::DeviceBuffer<float> y(size_t(c.n));
    ASSERT_EQ(own::launch_gpu_gemv(w.get(), x.get(), y.get(), int(c.n), int(k), nullptr),
              cudaSuccess);
    const qgemv::CheckReport r = qgemv::check_gemv(
        qgemv::download(y, nullptr), qgemv::reference_for_path(kGpuPath, d.w, d.x), kGpuPath, k);
    EXPECT_TRUE(r.ok()) << c.describe() << ": " << r.summary();
  }
}

TEST_F(OwnKernel, PassesQgemvVerification) {
  qgemv::Executor ex;
  const qgemv::Path paths[] = {kGpuPath};
  qgemv::VerifyReport report;
  for (int64_t i = 0; i < 50; ++i) {
    const auto c = qgemv::testing::draw_case(qgemv::case_seed(1, i), 1024, 16384);
    EXPECT_EQ(join(qgemv::verify_case(ex, paths, c, 1, &report)), "");
  }
  EXPECT_EQ(join(qgemv::verify_one_hot_sweep(ex, kGpuPath, 2, 8, 512)), "");
  for (const auto& [name, t] : report.tallies) EXPECT_GT(t.cases, 0) << name;
  EXPECT_EQ(report.tallies.size(), std::size(qgemv::kAllForms));
}

}  // namespace
