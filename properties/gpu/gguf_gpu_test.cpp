// GGUF models on a GPU: a synthetic model's Q4_K tensors verify on every path, a deliberately
// damaged path is caught on them, and a token built from the file runs the file's bytes.
// Without a CUDA device every test reports itself skipped with the reason.
#include <gtest/gtest.h>

#include <sstream>

#include "harness/bench/kernel_bench.h"
#include "harness/bench/token_model.h"
#include "harness/executor/device_info.h"
#include "harness/gguf/llama_tensors.h"
#include "harness/verify/gguf_verify.h"
#include "properties/support/gpu_test.h"
#include "properties/support/synthetic_gguf.h"

namespace qgemv {
namespace {

class GgufGpu : public testing::GpuTest {
 protected:
  void SetUp() override {
    GpuTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (!file_) {
      testing::SyntheticModel m{{"gguf-test", 1024, 2816, 256, 2}};
      m.mixed_types = true;
      bytes_ = testing::synthetic_llama(m).bytes();
      file_ = std::make_shared<const gguf::GgufFile>(gguf::GgufFile::parse(bytes_, "test.gguf"));
    }
  }
  static inline std::vector<uint8_t> bytes_;
  static inline std::shared_ptr<const gguf::GgufFile> file_;
};

TEST_F(GgufGpu, EveryQ4KTensorVerifiesOnEveryPathAndOthersAreSkipped) {
  GgufVerifyOptions opt;
  opt.paths = builtin_paths();  // other tests of this binary register external kernels
  opt.inputs = 2;
  std::ostringstream progress;
  const GgufVerifyReport r = verify_gguf(*ex_, *file_, opt, progress);
  EXPECT_TRUE(r.report.failures.empty()) << r.report.failures.front().text;
  EXPECT_EQ(r.verified.size(), 12u);  // 2 layers x 7, less layer 0's v and down (q6_K)
  int q6 = 0;
  for (const auto& s : r.skipped) q6 += s.find("(q6_K): not Q4_K") != std::string::npos;
  EXPECT_EQ(q6, 2 + 1);  // two projections and token_embd
  for (const auto& [name, t] : r.report.tallies) EXPECT_EQ(t.cases, 12 * 2) << name;
  // The weight store names the tensors as the file does.
  opt.tensor_regex = "^blk\\.1\\.ffn_up";
  const GgufVerifyReport one = verify_gguf(*ex_, *file_, opt, progress);
  EXPECT_EQ(one.verified, std::vector<std::string>{"blk.1.ffn_up.weight (2816 x 1024)"});
  opt.tensor_regex = "no_such_tensor";
  EXPECT_THROW(verify_gguf(*ex_, *file_, opt, progress), std::invalid_argument);
}

// A damaged tensor (one row's scale altered after loading) fails against the file's reference.
TEST_F(GgufGpu, AWrongRowOnTheDeviceIsCaught) {
  const gguf::TensorInfo& t = *file_->find_tensor("blk.1.attn_q.weight");
  const Q4KMatrix w = gguf::q4k_matrix(*file_, t);
  Q4KMatrix damaged = w;
  damaged.blocks[size_t(5 * w.blocks_per_row())].d ^= 0x0400;  // row 5's scale, one exponent step
  ex_->weights().load(t.name, damaged, ex_->stream());
  testing::Rng rng(3);
  const auto x = testing::random_values(rng, size_t(w.k), testing::Values::kNormal);
  const std::vector<Path> paths = {Path::kMwv, Path::kMwvQ8};
  const auto fails = verify_gemv(*ex_, paths, t.name, w, x, "damaged", 4);
  ASSERT_FALSE(fails.empty());
  EXPECT_NE(fails.front().find("row 5"), std::string::npos) << fails.front();
}

TEST_F(GgufGpu, TokenAndKernelCasesRunTheFilesTensors) {
  TokenModel model(*ex_, gguf_token_plan(file_), 7);
  EXPECT_EQ(model.model(), "gguf-test-synthetic");
  ASSERT_EQ(model.steps().size(), 12u);
  model.run(Path::kMwv, TokenMode::kWorkspace);
  model.check_outputs();
  const auto cases =
      kernel_cases(file_, {Path::kMwv}, {KernelTiming::kOneLaunch, KernelTiming::kBatch});
  // q, k, o, gate, up from layer 0, v and down from layer 1; mwv and the read row, two timings
  ASSERT_EQ(cases.size(), 28u);
  EXPECT_EQ(cases[8].tensor, "blk.1.attn_v.weight");
  KernelBench kb(*ex_, {}, 50 << 20);
  for (const KernelCase& c : cases) {
    kb.prepare(c);
    EXPECT_GT(kb.sample_us(), 0.0) << c.name();
    kb.check_output();
  }
}

}  // namespace
}  // namespace qgemv
