// A whole mutation run on the CPU: a two-instance template compiled with nvcc, verified by fake
// workers (support/fake_worker_main.cpp, which fail the kernels QGEMV_FAKE_KILL names) and
// triaged by a fake compute-sanitizer (support/fake-compute-sanitizer). Per instance a mutant is
// equivalent, killed by verify, killed by a sanitizer only, or a survivor; shards of the run
// merge into the same report; the report and summary list every instance.
#include "harness/mutate/mutation_run.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include "harness/mutate/mutant_compile.h"
#include "harness/mutate/mutation_record.h"
#include "harness/mutate/mutation_report.h"

namespace qgemv {
namespace {

namespace fs = std::filesystem;

// scale<1> adds, scale<2> doubles: an edit of one branch leaves the other instance's code alone.
constexpr const char* kTemplate = R"(template <int kScale>
__global__ void scale(const float* x, float* y, int n) {
  const int i = blockIdx.x * 32 + threadIdx.x;
  if (i >= n) return;
  if (kScale == 1)
    y[i] = x[i] + 1.0f;
  else
    y[i] = x[i] * 2.0f;
}
template __global__ void scale<1>(const float*, float*, int);
template __global__ void scale<2>(const float*, float*, int);
)";

constexpr const char* kSpec = "input=f32;threads=32;rows_per_cta=1;params=w,x,y,n,k";

// nvcc for sm_90, a few cases, fake workers and a fake compute-sanitizer: no GPU.
MutationOptions fake_gpu_options() {
  MutationOptions o;
  o.compiler = "nvcc";
  o.arch = 90;
  o.cases = 3;
  o.verify_jobs = 1;
  o.worker = QGEMV_FAKE_WORKER;
  o.sanitizer.path = QGEMV_FAKE_SANITIZER;
  return o;
}

// One whole run for the suite (compiling the mutants takes most of its time); each test reads it.
class MutationRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!fs::exists(nvcc_path()) && nvcc_path() == "nvcc") return;
    dir_ = fs::temp_directory_path() / ("qgemv-mutation-run-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "scale.cu") << kTemplate;
    for (const Mutant& m : generate_mutants(kTemplate)) {
      if (m.after.find("x[i] - 1.0f") != std::string::npos) add_ = m.id;
      if (m.after.find("x[i] / 2.0f") != std::string::npos) twice_ = m.id;
      if (m.after.find("blockIdx.x / 32") != std::string::npos) shared_ = m.id;
    }
    // verify kills the add edit; of what it lets through, memcheck kills the doubling edit.
    setenv("QGEMV_FAKE_KILL", ("mutant-" + std::to_string(add_) + ".cubin").c_str(), 1);
    setenv("QGEMV_FAKE_SANITIZER",
           ("memcheck:mutant-" + std::to_string(twice_) + ".cubin:error").c_str(), 1);
    opt_ = fake_gpu_options();
    opt_.kernel = (dir_ / "scale.cu").string();
    opt_.instances = {{"scale<1>", "scaleILi1E", kSpec, 256, 512, true},
                      {"scale<2>", "scaleILi2E", kSpec, 768, 1024, true}};
    whole_ = run("whole");
  }
  static void TearDownTestSuite() {
    unsetenv("QGEMV_FAKE_KILL");
    unsetenv("QGEMV_FAKE_SANITIZER");
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void SetUp() override {
    if (dir_.empty()) GTEST_SKIP() << "no nvcc";
    ASSERT_GE(add_, 0);
    ASSERT_GE(twice_, 0);
    ASSERT_GE(shared_, 0);
  }
  static MutationReport run(const std::string& out, int shard = 0, int shards = 1) {
    MutationOptions o = opt_;
    o.out_dir = (dir_ / out).string();
    o.shard = shard;
    o.shards = shards;
    std::ostringstream progress;
    return run_mutation(o, progress);
  }
  // Each judgement's outcome and killer, by mutant and instance.
  static std::map<std::pair<int, size_t>, std::string> outcomes(const MutationReport& r) {
    std::map<std::pair<int, size_t>, std::string> out;
    for (const MutantResult& m : r.results)
      out[{m.mutant.id, m.instance}] = std::string(status_word(m.status)) + " " + m.killed_by;
    return out;
  }

  static inline fs::path dir_;
  static inline MutationOptions opt_;
  static inline MutationReport whole_;
  static inline int add_ = -1, twice_ = -1, shared_ = -1;
};

// The one reading of a --kernel or --quantizer argument that the CLI, the run and the report
// share.
TEST(KernelArgument, FileAndEntry) {
  EXPECT_EQ(kernel_source_file("kernels/gemv/gemv_mwv.cu:gemv_mwv_kernelILi4"),
            "kernels/gemv/gemv_mwv.cu");
  EXPECT_EQ(kernel_entry("kernels/gemv/gemv_mwv.cu:gemv_mwv_kernelILi4"), "gemv_mwv_kernelILi4");
  EXPECT_EQ(kernel_source_file("kernels/gemv/gemv_mwv.cu"), "kernels/gemv/gemv_mwv.cu");
  EXPECT_EQ(kernel_entry("kernels/gemv/gemv_mwv.cu"), "");
  EXPECT_EQ(kernel_source_file("/tmp/c:d/k.cu:entry"), "/tmp/c:d/k.cu");  // the last colon
  EXPECT_EQ(kernel_source_file("k.ptx:entry"), "");                       // not source
  EXPECT_EQ(kernel_source_file("entry"), "");
  EXPECT_EQ(kernel_entry("k.cu:"), "");
}

TEST_F(MutationRun, EachMutantIsJudgedOnEachInstanceByItsOwnCode) {
  const MutationReport& r = whole_;
  ASSERT_EQ(r.instances.size(), 2u);
  EXPECT_EQ(r.symbols,
            (std::vector<std::string>{"_Z5scaleILi1EEvPKfPfi", "_Z5scaleILi2EEvPKfPfi"}));
  EXPECT_EQ(r.results.size(), 2 * size_t(r.total_mutants));
  const auto o = outcomes(r);
  EXPECT_EQ(o.at({add_, 0}), "killed fault");
  EXPECT_EQ(o.at({add_, 1}), "equivalent_sass ");
  EXPECT_EQ(o.at({twice_, 0}), "equivalent_sass ");
  EXPECT_EQ(o.at({twice_, 1}), "killed_sanitizer memcheck");
  EXPECT_EQ(o.at({shared_, 0}), "survived ");
  EXPECT_EQ(o.at({shared_, 1}), "survived ");
  for (const MutantResult& m : r.results) {
    if (m.mutant.id != shared_) continue;
    EXPECT_EQ(m.detail,
              "under compute-sanitizer: memcheck clean, racecheck clean, synccheck clean, "
              "initcheck clean");
  }

  const std::string md = mutation_report_markdown(opt_, r);
  EXPECT_NE(md.find("| scale<1> | 256 to 512 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| scale<2> | 768 to 1024 |"), std::string::npos) << md;
  EXPECT_NE(md.find("on scale<2>: memcheck, Invalid __shared__ write of size 4 bytes"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("### mutant " + std::to_string(shared_) +
                    " (arith, line 3) on scale<1>, "
                    "scale<2>"),
            std::string::npos)
      << md;
  const std::string csv = mutation_summary_csv(opt_, r);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3) << csv;
  EXPECT_NE(csv.find("scale.cu,scale<1>,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("scale.cu,scale<2>,"), std::string::npos) << csv;
  // Every instance's counts add up to the mutants, and the sanitizer's kill is its own column.
  for (size_t i = 0; i < 2; ++i) {
    const MutationCounts n = count_outcomes(r, i);
    EXPECT_EQ(n.mutants, r.total_mutants);
    EXPECT_EQ(n.killed + n.killed_sanitizer + n.equivalent_sass + n.survived + n.not_compiled +
                  n.unjudged,
              n.mutants);
  }
  EXPECT_EQ(count_outcomes(r, 1).killed_sanitizer, 1);
}

TEST_F(MutationRun, ShardsMergeIntoTheWholeRunsJudgements) {
  const MutationReport& whole = whole_;
  std::vector<MutationRecord> shards;
  for (int s = 0; s < 2; ++s) {
    MutationOptions o = opt_;
    o.shard = s;
    o.shards = 2;
    shards.push_back(
        parse_mutation_record(mutation_record_json(o, run("shard" + std::to_string(s), s, 2))));
  }
  EXPECT_LT(shards[0].report.results.size(), whole.results.size());
  const MutationRecord merged = merge_mutation_records({shards[1], shards[0]});
  EXPECT_EQ(outcomes(merged.report), outcomes(whole));
  EXPECT_EQ(merged.report.shard_seconds.size(), 2u);
  EXPECT_EQ(mutation_summary_csv(merged.opt, merged.report), mutation_summary_csv(opt_, whole));
  const std::string md = mutation_report_markdown(merged.opt, merged.report);
  EXPECT_NE(md.find("(2 of 2 shards)"), std::string::npos) << md;

  EXPECT_THROW(merge_mutation_records({shards[0]}), std::runtime_error);  // shard 1 missing
  MutationRecord cut = shards[1];
  cut.report.complete = false;  // as a run stopped mid-way leaves it
  EXPECT_THROW(merge_mutation_records({shards[0], cut}), std::runtime_error);
  EXPECT_THROW(merge_mutation_records({shards[0], shards[0], shards[1]}), std::runtime_error);
  MutationRecord other = shards[1];
  other.opt.seed = 7;
  EXPECT_THROW(merge_mutation_records({shards[0], other}), std::runtime_error);
}

// A quantizer's mutants (mutate --quantizer): one instance, each mutant verified as verify
// --quantizer verifies it, on the Q8_1 paths, its survivors triaged by verify --quantizer.
constexpr const char* kQuantizer = R"(struct Q8 { signed char qs[32]; unsigned short d, s; };
__global__ void quantize(const float* x, Q8* out, long long values, unsigned* status, int sum) {
  const long long i = blockIdx.x * 256 + threadIdx.x;
  if (i >= values) return;
  out[i / 32].qs[i % 32] = (signed char)(x[i] * 2.0f);
}
)";

TEST(QuantizerMutationRun, EachMutantIsVerifiedAsAQuantizer) {
  if (!fs::exists(nvcc_path()) && nvcc_path() == "nvcc") GTEST_SKIP() << "no nvcc";
  const fs::path dir =
      fs::temp_directory_path() / ("qgemv-quantizer-run-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "quantize.cu") << kQuantizer;
  int halve = -1;
  for (const Mutant& m : generate_mutants(kQuantizer))
    if (m.after.find("x[i] / 2.0f") != std::string::npos) halve = m.id;
  ASSERT_GE(halve, 0);
  const std::string log = (dir / "sanitizer.log").string();
  setenv("QGEMV_FAKE_KILL", ("mutant-" + std::to_string(halve) + ".cubin").c_str(), 1);
  setenv("QGEMV_FAKE_SANITIZER_LOG", log.c_str(), 1);
  MutationOptions o = fake_gpu_options();
  o.kernel = (dir / "quantize.cu").string() + ":quantize";
  o.quantizer = true;
  o.sanitizer.tools = {"memcheck"};
  o.out_dir = (dir / "out").string();
  std::ostringstream progress;
  const MutationReport r = run_mutation(o, progress);
  unsetenv("QGEMV_FAKE_KILL");
  unsetenv("QGEMV_FAKE_SANITIZER_LOG");
  ASSERT_EQ(r.instances.size(), 1u);
  EXPECT_EQ(r.instances[0].name, "quantize");
  EXPECT_EQ(r.instances[0].launch, kQuantizerLaunch);
  int killed = 0, survived = 0;
  for (const MutantResult& m : r.results) {
    if (m.mutant.id == halve) {
      EXPECT_EQ(m.status, MutantStatus::kKilled) << m.detail;
    }
    killed += m.status == MutantStatus::kKilled;
    survived += m.status == MutantStatus::kSurvived;
  }
  EXPECT_EQ(killed, 1);
  EXPECT_GT(survived, 0);
  // Survivors were triaged as verify --quantizer runs them, never as a GEMV kernel.
  std::ifstream in(log);
  const std::string triaged((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(triaged.find("verify --no-isolate --no-structured --quantizer "), std::string::npos)
      << triaged;
  EXPECT_EQ(triaged.find("--kernel"), std::string::npos) << triaged;
  // The report says what was mutated; a record keeps it, and one row per instance.
  EXPECT_NE(mutation_report_markdown(o, r).find("a Q8_1 quantizer"), std::string::npos);
  const MutationRecord back = parse_mutation_record(mutation_record_json(o, r));
  EXPECT_TRUE(back.opt.quantizer);
  const std::string csv = mutation_summary_csv(o, r);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 2) << csv;
  fs::remove_all(dir);
}

TEST(MutationRecord, AJudgementReadsBackAsItWasWritten) {
  MutationOptions opt;
  opt.kernel = "k.cu:e";
  opt.launch = kSpec;
  opt.seed = 18446744073709551557ull;  // beyond a double's 53 bits
  MutationReport r;
  r.instances = {{"e", "e", kSpec, 256, 32768, true}};
  r.symbols = {"_Z1ev"};
  r.total_mutants = 3;
  r.complete = true;
  r.sanitizer_off = "compute-sanitizer not found (PATH): survivors are not triaged";
  r.health.xids.push_back({0, 31, 1.5});
  MutantResult m;
  m.mutant = {2, "arith", 7, "a + b", "a - b\t\"quoted\"", ""};
  m.status = MutantStatus::kKilledSanitizer;
  m.killed_by = "racecheck";
  m.detail = "Race reported\nbetween";
  m.seconds = 2.25;
  r.results = {m};
  const MutationRecord back = parse_mutation_record(mutation_record_json(opt, r));
  EXPECT_EQ(back.opt.seed, opt.seed);
  EXPECT_EQ(back.report.results.size(), 1u);
  EXPECT_EQ(back.report.results[0].mutant.after, m.mutant.after);
  EXPECT_EQ(back.report.results[0].status, MutantStatus::kKilledSanitizer);
  EXPECT_EQ(back.report.results[0].detail, m.detail);
  EXPECT_EQ(back.report.sanitizer_off, r.sanitizer_off);
  EXPECT_EQ(back.report.health.xids.size(), 1u);
  EXPECT_EQ(mutation_report_markdown(back.opt, back.report), mutation_report_markdown(opt, r));
  EXPECT_THROW(parse_mutation_record("{\"format\":\"other\"}"), std::runtime_error);
  // A record from before mutate --quantizer has no "quantizer": it mutated a GEMV kernel.
  std::string old = mutation_record_json(opt, r);
  const size_t at = old.find(",\"quantizer\":false");
  ASSERT_NE(at, std::string::npos);
  old.erase(at, std::string(",\"quantizer\":false").size());
  EXPECT_FALSE(parse_mutation_record(old).opt.quantizer);
}

}  // namespace
}  // namespace qgemv
