// A GGUF file read as a llama-style model: which tensors are projections, their order, shapes and
// types, and Q4_K data handed over unchanged.
#include <gtest/gtest.h>

#include <cstring>

#include "harness/bench/kernel_bench.h"
#include "harness/bench/token_plan.h"
#include "harness/gguf/ggml_type.h"
#include "harness/gguf/llama_tensors.h"
#include "properties/support/synthetic_gguf.h"

namespace qgemv::gguf {
namespace {

ModelPreset tiny() { return {"tiny-llama", 512, 768, 256, 3}; }

TEST(LlamaTensors, ProjectionNames) {
  int64_t layer = -1;
  std::string proj;
  EXPECT_TRUE(parse_projection_name("blk.12.ffn_down.weight", &layer, &proj));
  EXPECT_EQ(layer, 12);
  EXPECT_EQ(proj, "down");
  EXPECT_TRUE(parse_projection_name("blk.0.attn_output", &layer, &proj));
  EXPECT_EQ(proj, "o");
  for (const char* not_one : {"blk.0.attn_q.bias", "blk.0.attn_norm.weight", "blk..attn_q",
                              "blk.x.attn_q", "token_embd.weight", "blk.1.attn_qq", "blk.1"})
    EXPECT_FALSE(parse_projection_name(not_one, &layer, &proj)) << not_one;
}

TEST(LlamaTensors, SyntheticModelInIssueOrderWithOtherTypesApart) {
  for (bool suffix : {true, false}) {
    testing::SyntheticModel m{tiny()};
    m.mixed_types = true;
    m.weight_suffix = suffix;
    const auto bytes = testing::synthetic_llama(m).bytes();
    const GgufFile f = GgufFile::parse(bytes, "tiny.gguf");
    const LlamaTensors t = llama_tensors(f);
    EXPECT_EQ(t.model, "tiny-llama-synthetic");
    EXPECT_EQ(t.architecture, "llama");
    EXPECT_EQ(t.layers, 3);
    // Layers 0 and 2 keep v and down in q6_K: 3 * 7 - 4 Q4_K projections.
    ASSERT_EQ(t.q4k.size(), 17u);
    ASSERT_EQ(t.other.size(), 4u);
    EXPECT_EQ(t.q4k[0].tensor, suffix ? "blk.0.attn_q.weight" : "blk.0.attn_q");
    EXPECT_EQ(t.q4k[1].projection, "k");
    EXPECT_EQ(t.q4k[2].projection, "o");
    EXPECT_EQ(t.q4k[5].projection, "q");
    EXPECT_EQ(t.q4k[5].layer, 1);
    EXPECT_EQ(t.other[0].projection, "v");
    EXPECT_EQ(t.other[0].type, kTypeQ6K);
    // Held by value: the projections are a temporary, and a reference into it would dangle.
    const auto projections = layer_projections(tiny());
    for (const ProjectionTensor& p : t.q4k) {
      const Projection& want = projections[size_t(p.projection_index)];
      EXPECT_EQ(p.n, want.n) << p.tensor;
      EXPECT_EQ(p.k, want.k) << p.tensor;
    }
    const TensorInfo& info = *f.find_tensor(t.q4k[0].tensor);
    const Q4KMatrix w = q4k_matrix(f, info);
    EXPECT_EQ(w.n, 512);
    EXPECT_EQ(w.k, 512);
    EXPECT_EQ(std::memcmp(w.blocks.data(), f.data(info).data(), w.bytes()), 0);
  }
}

// gemv --tensor takes a weight's name with or without ".weight", as the file may have either.
TEST(LlamaTensors, WeightsAreFoundWithOrWithoutTheirSuffix) {
  GgufWriter w;
  w.add_tensor("blk.0.attn_q.weight", {256, 1}, kTypeQ4K, std::vector<uint8_t>(144));
  w.add_tensor("blk.0.attn_k", {256, 1}, kTypeQ4K, std::vector<uint8_t>(144));
  w.add_tensor("output_norm", {32}, kTypeF32, std::vector<uint8_t>(128));
  w.add_tensor("output_norm.weight", {32}, kTypeF32, std::vector<uint8_t>(128));
  const auto bytes = w.bytes();
  const GgufFile f = GgufFile::parse(bytes, "names.gguf");
  auto found = [&](const std::string& name) {
    const TensorInfo* t = find_weight_tensor(f, name);
    return t ? t->name : std::string("(none)");
  };
  EXPECT_EQ(found("blk.0.attn_q"), "blk.0.attn_q.weight");
  EXPECT_EQ(found("blk.0.attn_q.weight"), "blk.0.attn_q.weight");
  EXPECT_EQ(found("blk.0.attn_k.weight"), "blk.0.attn_k");
  EXPECT_EQ(found("blk.0.attn_k"), "blk.0.attn_k");
  // An exact name wins over the other spelling.
  EXPECT_EQ(found("output_norm"), "output_norm");
  EXPECT_EQ(found("output_norm.weight"), "output_norm.weight");
  EXPECT_EQ(found("blk.0.attn_v"), "(none)");
  EXPECT_EQ(found(".weight"), "(none)");
  EXPECT_EQ(shape_text(f.tensors()[0]), "256 x 1");
  EXPECT_EQ(shape_text(f.tensors()[2], "x"), "32");
}

TEST(LlamaTensors, NonMatricesAndOtherTypesAreRefusedByName) {
  GgufWriter w;
  w.add_tensor("blk.0.attn_q.weight", {256, 2, 2}, kTypeQ4K, std::vector<uint8_t>(4 * 144));
  const auto bytes = w.bytes();
  const GgufFile f = GgufFile::parse(bytes, "odd.gguf");
  EXPECT_THROW(
      {
        try {
          llama_tensors(f);
        } catch (const GgufError& e) {
          EXPECT_STREQ(e.what(),
                       "odd.gguf: projection tensor 'blk.0.attn_q.weight' of shape [256 x 2 x 2] "
                       "is not a matrix");
          throw;
        }
      },
      GgufError);
  GgufWriter none;
  none.add_tensor("token_embd.weight", {32, 2}, kTypeF32, std::vector<uint8_t>(256));
  const auto nb = none.bytes();
  EXPECT_THROW(llama_tensors(GgufFile::parse(nb, "none.gguf")), GgufError);
  GgufWriter f16;
  f16.add_tensor("blk.0.ffn_up.weight", {32, 2}, kTypeF16, std::vector<uint8_t>(128));
  const auto fb = f16.bytes();
  const GgufFile ff = GgufFile::parse(fb, "f16.gguf");
  try {
    q4k_matrix(ff, ff.tensors()[0]);
    ADD_FAILURE() << "an f16 tensor read as Q4_K";
  } catch (const GgufError& e) {
    EXPECT_STREQ(e.what(), "f16.gguf: tensor 'blk.0.ffn_up.weight' is f16, not q4_K");
  }
}

TEST(TokenPlan, FromGgufRunsEveryQ4KProjectionWithItsOwnBytes) {
  testing::SyntheticModel m{tiny()};
  m.mixed_types = true;
  const std::vector<uint8_t> bytes = testing::synthetic_llama(m).bytes();
  auto file = std::make_shared<GgufFile>(GgufFile::parse(bytes, "tiny.gguf"));
  const TokenPlan plan = gguf_token_plan(file);
  EXPECT_EQ(plan.model, "tiny-llama-synthetic");
  ASSERT_EQ(plan.steps.size(), 17u);
  ASSERT_EQ(plan.weights.size(), 17u);
  EXPECT_EQ(plan.skipped.size(), 4u);
  EXPECT_NE(plan.skipped[0].find("blk.0.attn_v.weight (q6_K)"), std::string::npos)
      << plan.skipped[0];
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    EXPECT_EQ(plan.steps[i].weight, plan.weights[i].name);
    const TensorInfo& t = *file->find_tensor(plan.weights[i].name);
    EXPECT_EQ(plan.weights[i].blocks, static_cast<const void*>(file->data(t).data()));
  }
}

TEST(KernelCases, FromGgufTakeEachProjectionsFirstQ4KTensorInIssueOrder) {
  testing::SyntheticModel m{tiny()};
  m.mixed_types = true;
  const std::vector<uint8_t> bytes = testing::synthetic_llama(m).bytes();
  auto file = std::make_shared<GgufFile>(GgufFile::parse(bytes, "tiny.gguf"));
  const auto cases = kernel_cases(file, {Path::kMwv, Path::kQ4K}, {KernelTiming::kOneLaunch});
  ASSERT_EQ(cases.size(), 21u);  // 7 tensors x (2 paths + the read row)
  const char* expect[] = {"blk.0.attn_q.weight",   "blk.0.attn_k.weight",
                          "blk.1.attn_v.weight",   "blk.0.attn_output.weight",
                          "blk.0.ffn_gate.weight", "blk.0.ffn_up.weight",
                          "blk.1.ffn_down.weight"};
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(cases[i].tensor, expect[i / 3]);
    const char* column[] = {"mwv", "q4k", "read"};
    EXPECT_EQ(cases[i].path_column(), column[i % 3]);
    EXPECT_EQ(cases[i].preset, "tiny-llama-synthetic");
    EXPECT_EQ(cases[i].name().rfind("kernel/tiny-llama-synthetic/", 0), 0u);
  }
  EXPECT_EQ(cases[18].projection.n, 512);  // down: hidden x intermediate
  EXPECT_EQ(cases[18].projection.k, 768);
}

TEST(TokenPlan, FromPresetHasEveryRepresentableProjection) {
  const TokenPlan plan = preset_token_plan(find_preset("qwen2.5-0.5b"), 1);
  EXPECT_EQ(plan.model, "qwen2.5-0.5b");
  EXPECT_EQ(plan.steps.size(), 24u);  // only down (k = 4864) is Q4_K-representable
  EXPECT_EQ(plan.skipped.size(), 6u);
  EXPECT_EQ(plan.weights.size(), 24u);
}

}  // namespace
}  // namespace qgemv::gguf
