// The mwv instances mutate judges (kernel_instances.h): derived from the launch rule over every
// shape that reaches it, each with a launch spec and a k window that run it on its own shapes;
// and, compiled with nvcc as mutate compiles them, each entry names one kernel and a mutant is
// judged on each instance's own code.
#include "harness/mutate/kernel_instances.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>

#include "harness/external/launch_spec.h"
#include "harness/io/read_whole_file.h"
#include "harness/mutate/mutant_compile.h"
#include "harness/mutate/mutants.h"
#include "harness/cubin/sass_fingerprint.h"
#include "kernels/launch/launch_config.h"

namespace qgemv {
namespace {

namespace fs = std::filesystem;

std::vector<KernelInstance> on_h100(VerifyOptions v = {}) {
  return used_mwv_instances(v, kH100ResidentThreads);
}

TEST(UsedInstances, EveryLaneCountTheRuleGivesAShapeAndNoOther) {
  // A change to mwv's launch rule (launch_config.h) shows here: these are the instances its
  // shapes reach on an H100 with verify's default shapes and the presets.
  const std::vector<MwvLanes> expected = {{4, 4},  {4, 8},   {4, 16}, {4, 32},
                                          {4, 64}, {4, 128}, {8, 128}};
  EXPECT_EQ(used_mwv_lanes({}, kH100ResidentThreads), expected);
  for (const MwvLanes& l : used_mwv_lanes({}, kH100ResidentThreads))
    EXPECT_TRUE(mwv_shape_has_instance({1, unsigned(kMwvThreads), l.per_row, l.per_block}));
  // Every shape verify generates maps to a used one.
  const auto used = used_mwv_lanes({}, kH100ResidentThreads);
  for (int64_t k = kQK; k <= 32768; k += 7 * kQK)
    for (int64_t n : {1, 9, 100, 4096}) {
      const LaunchShape s = mwv_shape_for(n, k, kH100ResidentThreads);
      EXPECT_NE(std::find(used.begin(), used.end(), MwvLanes{s.lanes_per_block, s.lanes_per_row}),
                used.end())
          << n << " x " << k;
    }
}

TEST(UsedInstances, BothInputsEachWithASpecThatRunsItAlone) {
  const auto instances = on_h100();
  ASSERT_EQ(instances.size(), 14u);
  std::set<std::string> entries;
  for (const KernelInstance& i : instances) {
    EXPECT_TRUE(entries.insert(i.entry).second) << i.entry;
    const LaunchSpec spec = parse_launch_spec(i.launch);
    EXPECT_EQ(spec.threads, kMwvThreads) << i.launch;
    EXPECT_TRUE(spec.dependent_launch) << i.launch;
  }
  EXPECT_EQ(instances.front().name, "mwv<4,4>");
  EXPECT_EQ(instances.front().entry, "gemv_mwv_kernelILi4ELi4ENS1_8F32InputE");
  EXPECT_EQ(instances.front().launch,
            "input=f32;threads=128;grid=cdiv(n,32);params=w,x,y,n,k;dependent_launch=1;"
            "rounding=32");
  EXPECT_EQ(instances.back().name, "mwv_q8<8,128>");
  EXPECT_EQ(instances.back().entry, "gemv_mwv_kernelILi8ELi128ENS1_7Q8InputE");
  EXPECT_EQ(instances.back().launch,
            "input=q8_1;threads=128;grid=cdiv(n,1);params=w,x,y,n,k;dependent_launch=1;"
            "rounding=16");
}

TEST(UsedInstances, EachInputsWindowsSplitTheGeneratedKExactly) {
  const auto instances = on_h100();
  for (const char* input : {"mwv<", "mwv_q8<"}) {
    std::map<int64_t, int> owners;  // k -> instances whose window holds it
    for (const KernelInstance& i : instances) {
      if (!i.name.starts_with(input)) continue;
      EXPECT_TRUE(i.window_exact) << i.name;
      for (int64_t k = i.min_k; k <= i.max_k; k += kQK) ++owners[k];
    }
    ASSERT_EQ(owners.size(), 32768u / kQK) << input;
    for (const auto& [k, n] : owners) EXPECT_EQ(n, 1) << input << " k " << k;
  }
  EXPECT_EQ(instances[0].min_k, 256);  // mwv<4,4>: one block
  EXPECT_EQ(instances[0].max_k, 256);
  EXPECT_EQ(instances[6].min_k, 33 * kQK);  // mwv<8,128>: past 32 blocks
  EXPECT_EQ(instances[6].max_k, 32768);
}

TEST(UsedInstances, AnInstanceOnlyAPresetReachesIsKeptWithAWindowMarkedNotExact) {
  VerifyOptions small;
  small.max_k = 8192;  // no generated shape reaches eight lanes a block
  const auto instances = on_h100(small);
  ASSERT_EQ(instances.size(), 14u);
  const KernelInstance& long_rows = instances[6];
  EXPECT_EQ(long_rows.name, "mwv<8,128>");
  EXPECT_FALSE(long_rows.window_exact);
  // The presets' down projections: 8960 (1.5b), 14336 (8b), 18944 (7b).
  EXPECT_EQ(long_rows.min_k, 8960);
  EXPECT_EQ(long_rows.max_k, 18944);
}

TEST(UsedInstances, OnlyGemvMwvHasThemAndAPartSelects) {
  const VerifyOptions v;
  EXPECT_THROW(used_instances("kernels/gemv/gemv_tiled.cu", "", v, kH100ResidentThreads),
               std::invalid_argument);
  const auto q8 = used_instances("kernels/gemv/gemv_mwv.cu", "Q8Input", v, kH100ResidentThreads);
  ASSERT_EQ(q8.size(), 7u);
  for (const KernelInstance& i : q8) EXPECT_TRUE(i.name.starts_with("mwv_q8<")) << i.name;
  EXPECT_EQ(used_instances("gemv_mwv.cu", "mwv<8,128>", v, kH100ResidentThreads).size(), 1u);
  EXPECT_THROW(used_instances("gemv_mwv.cu", "ILi8ELi64E", v, kH100ResidentThreads),
               std::invalid_argument);  // compiled, but no shape reaches it
}

// gemv_mwv.cu compiled with nvcc for sm_90 as mutate compiles it, with two of its mutants.
class MwvInstanceCode : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(nvcc_path()) && nvcc_path() == "nvcc") GTEST_SKIP() << "no nvcc";
    dir_ = fs::temp_directory_path() / ("qgemv-mwv-instances-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    opt_.compiler = "nvcc";
    opt_.includes = {QGEMV_SOURCE_DIR};
    opt_.launch = on_h100().front().launch;
    file_ = std::string(QGEMV_SOURCE_DIR) + "/kernels/gemv/gemv_mwv.cu";
    source_ = read_whole_file(file_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  CompiledMutant compile(const std::string& source, int id) {
    CompiledMutant c = compile_mutant(opt_, file_, source, "", 90, dir_.string(), id);
    EXPECT_TRUE(c.ok) << c.error;
    return c;
  }
  // The first mutant whose line before holds `line` and whose edit holds `edit`.
  Mutant mutant(const std::string& line, const std::string& edit) {
    for (const Mutant& m : generate_mutants(source_))
      if (m.before.find(line) != std::string::npos && m.after.find(edit) != std::string::npos)
        return m;
    ADD_FAILURE() << "no mutant of " << line << " with " << edit;
    return {};
  }
  // Per used instance, whether the mutant's code for it is the original's.
  std::map<std::string, bool> equivalent(const CompiledMutant& original, const Mutant& m) {
    const CompiledMutant c = compile(m.source, m.id);
    std::map<std::string, bool> out;
    for (const KernelInstance& i : on_h100())
      out[i.name] = same_code(entry_code_of_file(original.cubin_path, i.entry), c);
    return out;
  }

  fs::path dir_;
  MutationOptions opt_;
  std::string file_, source_;
};

TEST_F(MwvInstanceCode, EachUsedEntryNamesOneKernelAndAMutantIsJudgedPerInstance) {
  const CompiledMutant original = compile(source_, -1);
  ASSERT_TRUE(original.ok);
  for (const KernelInstance& i : on_h100()) {
    const EntryCode code = entry_code_of_file(original.cubin_path, i.entry);
    EXPECT_NE(code.symbol.find(i.entry), std::string::npos) << i.name;
  }
  // F32Input's arithmetic: every f32 instance runs it, no Q8 instance does.
  for (const auto& [name, same] :
       equivalent(original, mutant("const float4* hi = lo + 8;", "lo + 9")))
    EXPECT_EQ(same, name.starts_with("mwv_q8<")) << name;
  // Q8Input's four-lane arithmetic (operator()): the four-lane Q8 instances run it; the f32
  // instances and the eight-lane one (which calls chunk) do not.
  for (const auto& [name, same] :
       equivalent(original, mutant("ds4.x * float(int(sc.sc_b & 0xFF) * s4)", "ds4.x / float")))
    EXPECT_EQ(same, !name.starts_with("mwv_q8<4,")) << name;
}

}  // namespace
}  // namespace qgemv
