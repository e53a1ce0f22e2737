// The benchmarks' host-side logic: order statistics, preset shapes and the token plan, and the
// breakdown that `qgemv explain` prints.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>

#include "harness/bench/explanation.h"
#include "harness/bench/json_string.h"
#include "harness/bench/kernel_bench.h"
#include "harness/bench/model_preset.h"
#include "harness/bench/sample_stats.h"
#include "harness/bench/token_breakdown.h"
#include "harness/bench/token_model.h"

namespace qgemv {
namespace {

// One Q8_1 quantization per decoder input: q, k and v share one, gate and up another; o and
// down read inputs of their own. A layer whose v is skipped still shares.
TEST(TokenPlanQuantization, OneQuantizationPerInputOfALayer) {
  const auto steps = token_steps(find_preset("qwen2.5-1.5b"));
  int quantizations = 0;
  for (size_t i = 0; i < steps.size(); ++i) {
    const bool q = quantizes_input(steps, i);
    quantizations += q;
    const std::string& p = steps[i].projection;
    EXPECT_EQ(q, p == "q" || p == "o" || p == "gate" || p == "down") << i << " " << p;
  }
  EXPECT_EQ(quantizations, 4 * 28);
  std::vector<TokenStep> no_v;
  for (const TokenStep& s : steps)
    if (s.projection != "v") no_v.push_back(s);
  int shared = 0;
  for (size_t i = 0; i < no_v.size(); ++i) shared += quantizes_input(no_v, i);
  EXPECT_EQ(shared, 4 * 28);
  // Layers holding only gate and up (the rest in other types): no sharing across layers.
  const std::vector<TokenStep> ffn = {{"0g", "gate", 1, 256, 4},
                                      {"0u", "up", 1, 256, 5},
                                      {"1g", "gate", 1, 256, 4},
                                      {"1u", "up", 1, 256, 5}};
  EXPECT_TRUE(quantizes_input(ffn, 0));
  EXPECT_FALSE(quantizes_input(ffn, 1));
  EXPECT_TRUE(quantizes_input(ffn, 2));
  EXPECT_FALSE(quantizes_input(ffn, 3));
}

RC_GTEST_PROP(SampleStats, PercentilesAreOrderedMeasuredValues, ()) {
  const auto samples = *rc::gen::nonEmpty(rc::gen::container<std::vector<double>>(
      rc::gen::map(rc::gen::inRange(1, 1000000), [](int v) { return v * 0.01; })));
  const SampleStats s = sample_stats(samples);
  RC_ASSERT(s.p10 <= s.median);
  RC_ASSERT(s.median <= s.p90);
  for (double v : {s.p10, s.median, s.p90})
    RC_ASSERT(std::find(samples.begin(), samples.end(), v) != samples.end());
  // At least half the samples are <= the median and at least half are >= it.
  const auto below =
      std::count_if(samples.begin(), samples.end(), [&](double v) { return v <= s.median; });
  const auto above =
      std::count_if(samples.begin(), samples.end(), [&](double v) { return v >= s.median; });
  RC_ASSERT(2 * below >= int64_t(samples.size()));
  RC_ASSERT(2 * above >= int64_t(samples.size()));
}

TEST(SampleStats, KnownSamples) {
  std::vector<double> v;
  for (int i = 10; i >= 1; --i) v.push_back(i);
  const SampleStats s = sample_stats(v);
  EXPECT_EQ(s.median, 5);
  EXPECT_EQ(s.p10, 1);
  EXPECT_EQ(s.p90, 9);
  EXPECT_THROW(sample_stats({}), std::invalid_argument);
}

TEST(ModelPreset, ShapesFromTheModelConfigs) {
  const ModelPreset& q7 = find_preset("qwen2.5-7b");
  const auto p = layer_projections(q7);
  ASSERT_EQ(p.size(), 7u);
  EXPECT_EQ(p[0].name, "q");
  EXPECT_EQ(p[1].n, 512);    // 4 kv heads x 128
  EXPECT_EQ(p[4].n, 18944);  // gate
  EXPECT_EQ(p[6].k, 18944);  // down reads the intermediate vector
  EXPECT_EQ(p[6].n, 3584);
  EXPECT_EQ(q4k_weight_bytes(18944, 3584), 18944LL * 14 * 144);
  try {
    find_preset("qwen3");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("llama-3-8b"), std::string::npos) << e.what();
  }
}

TEST(TokenPlan, SevenDistinctWeightsPerLayer) {
  const ModelPreset& q15 = find_preset("qwen2.5-1.5b");
  const auto steps = token_steps(q15);
  ASSERT_EQ(steps.size(), 196u);  // 28 layers x 7
  std::set<std::string> names;
  for (const auto& s : steps) names.insert(s.weight);
  EXPECT_EQ(names.size(), steps.size());
  EXPECT_EQ(steps[0].weight, "blk.0.attn_q");
  EXPECT_EQ(steps[3].weight, "blk.0.attn_output");
  EXPECT_EQ(steps.back().weight, "blk.27.ffn_down");
  EXPECT_EQ(steps.back().k, 8960);
}

TEST(TokenPlan, StacksProjectionsThatReadOneInput) {
  const auto steps = token_steps(find_preset("qwen2.5-1.5b"));
  const auto launches = token_launches(steps);
  ASSERT_EQ(launches.size(), 4u * 28);
  const char* names[] = {"q+k+v", "o", "gate+up", "down"};
  const int64_t rows[] = {1536 + 256 + 256, 1536, 2 * 8960, 1536};
  size_t covered = 0;
  for (size_t i = 0; i < launches.size(); ++i) {
    const TokenLaunch& l = launches[i];
    EXPECT_EQ(l.projection, names[i % 4]) << i;
    EXPECT_EQ(l.n, rows[i % 4]) << i;
    EXPECT_EQ(l.output, steps[l.steps.front()].output);
    int64_t n = 0;
    for (size_t s : l.steps) {
      EXPECT_EQ(s, covered++);  // every step once, in order
      EXPECT_EQ(steps[s].k, l.k);
      n += steps[s].n;
    }
    EXPECT_EQ(n, l.n);
  }
  EXPECT_EQ(covered, steps.size());
  EXPECT_EQ(launches[0].weight, "blk.0.attn_q+blk.0.attn_k+blk.0.attn_v");
  // A part missing (v in another type) leaves the rest stacked; a different k or a new
  // layer starts a new launch.
  const std::vector<TokenStep> mixed = {{"0q", "q", 8, 256, 0},    {"0k", "k", 4, 256, 1},
                                        {"0g", "gate", 8, 256, 4}, {"0u", "up", 8, 512, 5},
                                        {"1q", "q", 8, 256, 0},    {"1k", "k", 4, 256, 1}};
  const auto m = token_launches(mixed);
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].projection, "q+k");
  EXPECT_EQ(m[0].n, 12);
  EXPECT_EQ(m[1].projection, "gate");
  EXPECT_EQ(m[2].projection, "up");
  EXPECT_EQ(m[3].weight, "1q+1k");
}

TEST(TokenPlan, ProjectionsQ4KCannotHoldAreLeftOut) {
  // qwen2.5-0.5b's hidden size 896 is not a multiple of 256: only down (k = 4864) remains.
  const auto steps = token_steps(find_preset("qwen2.5-0.5b"));
  ASSERT_EQ(steps.size(), 24u);
  for (const auto& s : steps) EXPECT_EQ(s.projection, "down");
}

TEST(KernelCases, EveryRepresentableShapeOnEveryPathAndItsReadRow) {
  const auto cases = kernel_cases({"qwen2.5-1.5b", "qwen2.5-0.5b"}, {Path::kMwv, Path::kQ4K},
                                  {KernelTiming::kOneLaunch, KernelTiming::kBatch});
  EXPECT_EQ(cases.size(), (7u + 1u) * 2u * 3u);  // shapes x timings x (2 paths + read)
  std::set<std::string> names;
  for (const auto& c : cases) names.insert(c.name());
  EXPECT_EQ(names.size(), cases.size());
  EXPECT_TRUE(names.count("kernel/qwen2.5-1.5b/gate/mwv/8960x1536"));
  EXPECT_TRUE(names.count("kernel/qwen2.5-1.5b/gate/mwv/8960x1536/batch"));
  EXPECT_TRUE(names.count("kernel/qwen2.5-1.5b/gate/read/8960x1536/batch"));
  // Each timing of a shape: its paths, then its read row, which moves only the weights.
  EXPECT_EQ(cases[0].path_column(), "mwv");
  EXPECT_EQ(cases[1].path_column(), "q4k");
  EXPECT_TRUE(cases[2].read_only);
  EXPECT_EQ(cases[2].path_column(), "read");
  EXPECT_EQ(cases[2].timing, KernelTiming::kOneLaunch);
  EXPECT_EQ(cases[5].timing, KernelTiming::kBatch);
  EXPECT_EQ(cases[2].bytes(), q4k_weight_bytes(cases[2].projection.n, cases[2].projection.k));
  EXPECT_EQ(cases[0].bytes(), gemv_bytes(Path::kMwv, cases[0].projection.n, cases[0].projection.k));
  // The rows' mode: "-" keeps one-launch rows comparable with baselines made before batches.
  EXPECT_EQ(timing_mode(KernelTiming::kOneLaunch), "-");
  EXPECT_EQ(timing_mode(KernelTiming::kBatch), "batch");
  for (KernelTiming t : kAllKernelTimings)
    EXPECT_EQ(parse_kernel_timing(std::string(timing_name(t))), t);
  EXPECT_FALSE(parse_kernel_timing("-").has_value());
  // Weights + f32 input + output; Q8_1 input is 36 bytes per 32 values.
  EXPECT_EQ(gemv_bytes(Path::kMwv, 8, 256), 8 * 144 + 256 * 4 + 8 * 4);
  EXPECT_EQ(gemv_bytes(Path::kMwvQ8, 8, 256), 8 * 144 + 8 * 36 + 8 * 4);
}

// The kernel suite says which shapes it leaves out, and why: qwen2.5-0.5b's hidden size 896 is
// not a multiple of 256, so every projection but down (k = 4864) is out.
TEST(KernelCases, ShapesQ4KCannotHoldAreListedWithTheReason) {
  const auto skipped = kernel_cases_skipped({"qwen2.5-1.5b", "qwen2.5-0.5b"});
  ASSERT_EQ(skipped.size(), 6u);
  EXPECT_EQ(skipped[0],
            "qwen2.5-0.5b q (896 x 896): k is not a multiple of 256, so Q4_K cannot hold it");
  EXPECT_EQ(skipped[5].rfind("qwen2.5-0.5b up (4864 x 896): ", 0), 0u) << skipped[5];
  for (const auto& c : kernel_cases({"qwen2.5-0.5b"}, {Path::kMwv}, {KernelTiming::kOneLaunch}))
    EXPECT_EQ(c.projection.name, "down");
  EXPECT_TRUE(kernel_cases_skipped({"qwen2.5-7b", "llama-3-8b"}).empty());
}

ModeCost cost(const std::string& mode, double wall, double alloc, double launch, double sync,
              int64_t allocations, int64_t launches, double gpu) {
  return {mode, wall, gpu, alloc, launch, sync, allocations, launches};
}

TEST(TokenBreakdown, AllocationDominatesAllocMode) {
  const TokenFacts f{"qwen2.5-1.5b", "mwv", 196, 196, 600, 400, 3000};
  const std::vector<ModeCost> all = {cost("alloc", 2600, 2100, 400, 90, 392, 196, 2500),
                                     cost("workspace", 1000, 0, 900, 90, 0, 196, 950),
                                     cost("graph", 700, 0, 8, 690, 0, 1, 690)};
  const ModeBreakdown b = break_down(all[0], f, all);
  EXPECT_EQ(b.parts[0].name, "allocation");
  EXPECT_NE(b.cause.find("392 cudaMalloc/cudaFree per token, 2.100 ms of 2.600 ms"),
            std::string::npos)
      << b.cause;
  EXPECT_NE(b.remedy.find("workspace mode removes it (1.000 ms per token)"), std::string::npos)
      << b.remedy;
  EXPECT_NEAR(b.measured_us(), 2590, 1e-9);
  EXPECT_LT(b.unaccounted_fraction(), 0.01);
  EXPECT_NEAR(b.parts[3].us, 10, 1e-9);  // other: the unmeasured rest
  EXPECT_NEAR(b.gap_us, 1900, 1e-9);
}

TEST(TokenBreakdown, LaunchesDominateWorkspaceAndWaitingDominatesGraph) {
  const TokenFacts f{"qwen2.5-1.5b", "mwv", 196, 196, 600, 400, 3000};
  const std::vector<ModeCost> all = {cost("workspace", 1000, 0, 900, 90, 0, 196, 950),
                                     cost("graph", 700, 0, 8, 690, 0, 1, 690)};
  const ModeBreakdown w = break_down(all[0], f, all);
  EXPECT_NE(w.cause.find("196 launch calls per token, 0.900 ms of 1.000 ms"), std::string::npos)
      << w.cause;
  EXPECT_NE(w.remedy.find("graph mode removes it"), std::string::npos) << w.remedy;
  const ModeBreakdown g = break_down(all[1], f, all);
  EXPECT_NE(g.cause.find("waiting for the GPU"), std::string::npos) << g.cause;
  // Kernels 0.6 ms, gaps 0.09 ms: the kernels are the cost, at 67% of the floor's speed.
  EXPECT_NE(g.remedy.find("faster kernels: they run at 67%"), std::string::npos) << g.remedy;
}

// With the dependency floor measured, a kernel-bound graph token names what kernel speed cannot
// remove: 196 kernels at 1.5 us each are 0.294 ms of the 0.6 ms of kernels.
TEST(TokenBreakdown, KernelBoundRemedyNamesTheDependencyFloor) {
  TokenFacts f{"qwen2.5-1.5b", "mwv", 196, 196, 600, 400, 3000};
  const ModeCost graph = cost("graph", 700, 0, 8, 690, 0, 1, 690);
  EXPECT_EQ(break_down(graph, f, {graph}).remedy.find("dependencies"), std::string::npos);
  f.dependency_us = 1.5;
  EXPECT_NEAR(f.dependency_floor_us(), 294, 1e-9);
  const std::string remedy = break_down(graph, f, {graph}).remedy;
  EXPECT_NE(remedy.find("faster kernels: they run at 67%"), std::string::npos) << remedy;
  EXPECT_NE(remedy.find("196 kernels' dependencies alone take 0.294 ms (1.50 us each)"),
            std::string::npos)
      << remedy;
  Explanation e;
  e.facts = f;
  e.modes.push_back(break_down(graph, f, {graph}));
  EXPECT_NE(explanation_text(e).find("at 1.50 us per dependency, measured on a chain of empty "
                                     "kernels in a graph): 0.294 ms"),
            std::string::npos)
      << explanation_text(e);
  EXPECT_NE(explanation_json(e).find("\"dependency_floor_us\": 294.000"), std::string::npos);
  EXPECT_NE(explanation_csv(e).find(",dependency_floor,294.000,"), std::string::npos);
}

TEST(JsonString, EscapesEveryControlCharacterAndReplacesBrokenUtf8) {
  EXPECT_EQ(json_string("plain"), "\"plain\"");
  EXPECT_EQ(json_string("a\"b\\c/"), "\"a\\\"b\\\\c/\"");
  EXPECT_EQ(json_string("\n\r\t\b\f"), "\"\\n\\r\\t\\b\\f\"");
  EXPECT_EQ(json_string(std::string("\0\x01\x1f\x7f", 4)), "\"\\u0000\\u0001\\u001f\\u007f\"");
  for (int c = 0; c < 0x20; ++c)
    for (char o : json_string(std::string(1, char(c)))) EXPECT_GE(uint8_t(o), 0x20) << c;
  // Well-formed UTF-8 (2, 3 and 4 bytes) passes unchanged.
  EXPECT_EQ(json_string("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"),
            "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
  // A stray continuation byte, a cut sequence, an overlong '/' and a surrogate: each bad byte
  // becomes U+FFFD.
  EXPECT_EQ(json_string("\x80"), "\"\\ufffd\"");
  EXPECT_EQ(json_string("x\xc3"), "\"x\\ufffd\"");
  EXPECT_EQ(json_string("\xc0\xaf"), "\"\\ufffd\\ufffd\"");
  EXPECT_EQ(json_string("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");
  EXPECT_EQ(json_string("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
}

// A GGUF model's general.name is the preset: text from a file, which must not break either
// format.
TEST(Explanation, FormatsKeepAnUntrustedPresetNameInItsCell) {
  const TokenFacts f{"evil, \"model\"\nname\x01", "mwv", 196, 196, 600, 400, 3000};
  const ModeCost graph = cost("graph", 700, 0, 8, 690, 0, 1, 690);
  Explanation e;
  e.device = "GPU \"X\"";
  e.facts = f;
  e.modes.push_back(break_down(graph, f, {graph}));
  e.kernels.push_back({"q", 1536, 1536, 28, 2.5, 1.25});
  const std::string json = explanation_json(e);
  EXPECT_EQ(json.rfind("{\n  \"schema_version\": 1,\n", 0), 0u) << json;
  EXPECT_EQ(kExplanationSchemaVersion, 1);
  EXPECT_NE(json.find("\"preset\": \"evil, \\\"model\\\"\\nname\\u0001\","), std::string::npos)
      << json;
  EXPECT_NE(json.find("\"device\": \"GPU \\\"X\\\"\","), std::string::npos) << json;
  // No raw control character anywhere but the document's own newlines.
  for (char c : json) EXPECT_TRUE(c == '\n' || uint8_t(c) >= 0x20) << int(c);
  // A value that is not finite is null, which JSON has; nan is not JSON.
  e.facts.kernel_us = std::nan("");
  EXPECT_NE(explanation_json(e).find("\"kernel_us\": null,"), std::string::npos);

  const std::string csv = explanation_csv(e);
  const std::string cell = "\"evil, \"\"model\"\"\nname\x01\",mwv,";
  EXPECT_EQ(csv.find("preset,path,mode,part,us,share,detail\n" + cell + "graph,token,"), 0u) << csv;
  EXPECT_NE(csv.find(cell + "kernel,q,2.500,0.5000,"), std::string::npos) << csv;
}

TEST(TokenBreakdown, PartsThatDoNotAddUpAreFlagged) {
  const TokenFacts f{"p", "mwv", 1, 1, 10, 5, 3000};
  const ModeCost m = cost("workspace", 100, 0, 50, 10, 0, 1, 20);
  EXPECT_NEAR(break_down(m, f, {m}).unaccounted_fraction(), 0.4, 1e-12);
}

}  // namespace
}  // namespace qgemv
