// The project's CPU GEMV checked with qgemv's error model: its output must lie within the
// rigorous bound around the exact answer, and a wrong output must not.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "own_gemv.h"
#include "reference/error_model.h"
#include "reference/gemv.h"
#include "reference/q4k_quantize.h"

namespace {

// What the checker needs to know of cpu_gemv: f32 input and f32 arithmetic, so it is compared
// with the exact GEMV of the dequantized weights, and the longest chain of f32 roundings one
// summand passes through. qgemv's budget is k/256 + rounding_extra; cpu_gemv's chain is the
// weight to f32 (1), times x (1) and the pairwise sum (ceil(log2 k)), within k/256 + 16 for every
// k >= 256.
const qgemv::PathInfo kCpuGemv{.name = "own_cpu_gemv",
                               .input = qgemv::Activation::kF32,
                               .arithmetic = qgemv::Arithmetic::kF32,
                               .rounding_extra = 16,
                               // Never launched: it runs on the CPU.
                               .takes_outputs_per_block = false,
                               .shape = nullptr,
                               .launch = nullptr,
                               .kernel_name = nullptr};
const qgemv::Path kCpuPath{kCpuGemv};

struct Data {
  qgemv::Q4KMatrix w;
  std::vector<float> x;
};

Data random_data(int64_t n, int64_t k, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<float> weights(static_cast<size_t>(n * k)), x(static_cast<size_t>(k));
  for (float& v : weights) v = normal(rng);
  for (float& v : x) v = normal(rng);
  return {qgemv::q4k_quantize(weights, n, k), x};
}

struct Shape {
  int64_t n, k;
};
// One block per row, a power of two, and a length of many blocks that is not one.
constexpr Shape kShapes[] = {{64, 256}, {32, 4096}, {16, 12544}};

TEST(CpuGemv, WithinQgemvBound) {
  for (const Shape s : kShapes) {
    const Data d = random_data(s.n, s.k, 1);
    const std::vector<float> y = own::cpu_gemv(d.w, d.x);
    const qgemv::CheckReport r =
        qgemv::check_gemv(y, qgemv::reference_for_path(kCpuPath, d.w, d.x), kCpuPath, s.k);
    EXPECT_TRUE(r.ok()) << "n=" << s.n << " k=" << s.k << ": " << r.summary();
  }
}

// A GEMV that skipped one row's last block, as an off-by-one loop bound would.
TEST(CpuGemv, RowMissingABlockRejected) {
  const Data d = random_data(32, 4096, 2);
  const qgemv::ReferenceGemv ref = qgemv::reference_for_path(kCpuPath, d.w, d.x);
  qgemv::Q4KMatrix skipped = d.w;
  skipped.row(7).back() = qgemv::BlockQ4K{};  // all-zero scales: the block's weights are 0
  const qgemv::CheckReport r = qgemv::check_gemv(own::cpu_gemv(skipped, d.x), ref, kCpuPath, 4096);
  EXPECT_EQ(r.failures, 1) << r.summary();
  ASSERT_FALSE(r.first.empty());
  EXPECT_EQ(r.first[0].row, 7);
}

// One row just outside its bound, and one never written (NaN), each fail alone.
TEST(CpuGemv, RowOutsideItsBoundOrNotANumberRejected) {
  const Data d = random_data(32, 4096, 3);
  const qgemv::ReferenceGemv ref = qgemv::reference_for_path(kCpuPath, d.w, d.x);
  const Eigen::VectorXd bound = qgemv::error_bound(kCpuPath, 4096, ref);
  std::vector<float> y = own::cpu_gemv(d.w, d.x);
  ASSERT_TRUE(qgemv::check_gemv(y, ref, kCpuPath, 4096).ok());
  y[3] = float(ref.y[3] + 2 * bound[3]);
  EXPECT_EQ(qgemv::check_gemv(y, ref, kCpuPath, 4096).failures, 1);
  y[3] = float(ref.y[3]);
  y[30] = std::nanf("");
  EXPECT_EQ(qgemv::check_gemv(y, ref, kCpuPath, 4096).failures, 1);
}

}  // namespace
