// The GPU case generator behind verification: it quantizes exactly as the host reference, a case
// replays bit for bit, fewer rows give a prefix of the same weights (how failures are shrunk),
// and the weights have the distribution they are named for. Skipped without a CUDA device.
#include "harness/verify/gpu_case.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "properties/support/gpu_test.h"
#include "reference/q4k_dequantize.h"
#include "reference/q4k_quantize.h"

namespace qgemv::testing {
namespace {

class GpuCase : public GpuTest {};

bool same_blocks(const Q4KMatrix& a, const Q4KMatrix& b, size_t blocks) {
  return a.blocks.size() >= blocks && b.blocks.size() >= blocks &&
         std::memcmp(a.blocks.data(), b.blocks.data(), blocks * sizeof(BlockQ4K)) == 0;
}

TEST_F(GpuCase, QuantizesBitForBitAsTheHostReference) {
  Rng rng(7);
  const int64_t n = 48, k = 4096;
  for (Values v : kAllValues) {
    std::vector<float> x = random_values(rng, size_t(n * k), v);
    // Blocks of tiny and of equal values too: the fit's degenerate branches.
    for (int i = 0; i < kQK; ++i) x[size_t(i)] = 1e-30f * float(i % 7), x[size_t(kQK + i)] = 0.5f;
    const Q4KMatrix cpu = q4k_quantize(x, n, k);
    const Q4KMatrix gpu = gpu_q4k_quantize(x, n, k, ex_->stream());
    EXPECT_TRUE(same_blocks(cpu, gpu, cpu.blocks.size())) << name(v) << " values";
  }
}

TEST_F(GpuCase, ReplaysAndShrinksToAPrefix) {
  const GemvCase c{12345, 37, 2048, Weights::kFromHeavyTailed, Values::kNormal};
  const GemvData a = materialize_on_gpu(c, ex_->stream());
  const GemvData b = materialize_on_gpu(c, ex_->stream());
  EXPECT_TRUE(same_blocks(a.w, b.w, a.w.blocks.size()));
  EXPECT_EQ(a.x, b.x);
  EXPECT_EQ(a.x, materialize(c).x);  // the input is the CPU's
  GemvCase fewer = c;
  fewer.n = 5;
  const GemvData p = materialize_on_gpu(fewer, ex_->stream());
  EXPECT_TRUE(same_blocks(a.w, p.w, p.w.blocks.size()));
  GemvCase other = c;
  other.seed += 1;
  EXPECT_FALSE(same_blocks(a.w, materialize_on_gpu(other, ex_->stream()).w, a.w.blocks.size()));
}

// Dequantized weights against the drawn distribution times 0.02: normal (standard deviation
// 0.02), uniform (|w| <= 0.02 plus a quantization step and the rounding of a 6-bit scale) and
// Student's t with two degrees of freedom (no variance; values beyond ten standard normal
// deviations are common).
TEST_F(GpuCase, WeightsHaveTheirDistribution) {
  auto weights = [&](Weights kind) {
    const GemvData d = materialize_on_gpu({99, 256, 1024, kind, Values::kNormal}, ex_->stream());
    std::vector<double> w;
    for (int64_t r = 0; r < d.w.n; ++r) {
      const Eigen::VectorXd row = q4k_dequantize_row(d.w.row(r));
      w.insert(w.end(), row.begin(), row.end());
    }
    return w;
  };
  auto rms = [](const std::vector<double>& w) {
    double s = 0;
    for (double e : w) s += e * e;
    return std::sqrt(s / double(w.size()));
  };
  auto beyond = [](const std::vector<double>& w, double t) {
    return std::count_if(w.begin(), w.end(), [t](double e) { return std::fabs(e) > t; });
  };
  const std::vector<double> normal = weights(Weights::kFromNormal);
  EXPECT_NEAR(rms(normal), 0.02, 0.001);
  EXPECT_LT(beyond(normal, 0.2), 1);
  const std::vector<double> uniform = weights(Weights::kFromUniform);
  EXPECT_NEAR(rms(uniform), 0.02 / std::sqrt(3.0), 0.001);
  EXPECT_EQ(beyond(uniform, 0.0225), 0);
  EXPECT_GT(beyond(weights(Weights::kFromHeavyTailed), 0.2), 100);
}

}  // namespace
}  // namespace qgemv::testing
