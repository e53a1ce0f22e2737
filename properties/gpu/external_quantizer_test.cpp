// Q8_1 quantizers built outside qgemv (verify --quantizer): q8_quantize_kernel loaded back from
// the build's PTX passes the paths whose input is Q8_1 and the q8_quantize checks, in this process
// and in isolated workers; each deliberately broken quantizer (broken/broken_quantizers.cu,
// through NVRTC) is rejected, with a failure that names what it gets wrong.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "harness/external/driver_api.h"
#include "harness/verify/isolated_verify.h"
#include "harness/verify/quantizer.h"
#include "harness/verify/verify_suite.h"
#include "properties/support/gpu_test.h"

namespace qgemv::testing {
namespace {

namespace fs = std::filesystem;

// build/bin/.. or .device/bin/..: where the build put ptx/ and, one more up, the sources.
fs::path exe_dir() { return fs::read_symlink("/proc/self/exe").parent_path(); }
std::string builtin_ptx() {
  return (exe_dir() / ".." / "ptx" / "q8_quantize.ptx").string() + ":q8_quantize_kernel";
}
std::string broken(const std::string& entry) {
  return (exe_dir() / ".." / ".." / "properties" / "gpu" / "broken" / "broken_quantizers.cu")
             .string() +
         ":" + entry;
}

std::vector<Path> q8_input_paths() {
  std::vector<Path> out;
  for (const PathInfo* p : builtin_table())
    if (path_takes_q8(Path(*p))) out.push_back(Path(*p));
  return out;
}

VerifyOptions q8_run(std::shared_ptr<const Quantizer> q, int64_t cases) {
  VerifyOptions o;
  o.cases = cases;
  o.seed = 7;
  o.max_n = 512;
  o.max_k = 4096;
  o.accuracy = false;
  o.paths = q8_input_paths();
  o.quantizer = std::move(q);
  return o;
}

std::string joined(const std::vector<Failure>& failures) {
  std::string all;
  for (const Failure& f : failures) all += f.text + "\n";
  return all;
}

class ExternalQuantizer : public GpuTest {};

TEST_F(ExternalQuantizer, BuiltinPtxPassesTheQ8PathsAndTheQuantizeChecks) {
  std::ostringstream quiet;
  const VerifyReport r = run_verify(*ex_, q8_run(load_quantizer(builtin_ptx(), 0), 20), quiet);
  EXPECT_TRUE(r.failures.empty()) << joined(r.failures);
  EXPECT_GT(r.tallies.at("q8_quantize").cases, 0);
  EXPECT_GT(r.tallies.at("q8 overflow detected").cases, 0);
}

TEST_F(ExternalQuantizer, BuiltinPtxPassesInIsolatedWorkers) {
  IsolationOptions iso;
  iso.jobs = 2;
  std::ostringstream quiet;
  const VerifyReport r =
      run_isolated_verify(q8_run(declare_quantizer(builtin_ptx()), 10), iso, quiet);
  EXPECT_TRUE(r.failures.empty()) << joined(r.failures);
  EXPECT_TRUE(r.health.unhealthy.empty()) << r.health.unhealthy;
  EXPECT_GT(r.tallies.at("q8_quantize").cases, 0);
}

// This file's own harness is not what the broken ones get wrong.
TEST_F(ExternalQuantizer, NvrtcCopyOfTheNumericsPasses) {
  const auto q = load_quantizer(broken("q8_correct"), 0);
  for (Q8Sum sum : {Q8Sum::kSumOfX, Q8Sum::kScaledSumOfQ})
    for (int64_t values : {32, 33, 4096}) {
      const auto f = verify_q8_quantize(*ex_, 5, values, Values::kNormal, sum, *q);
      EXPECT_TRUE(f.empty()) << f.front();
    }
}

struct Broken {
  const char* entry;
  const char* expected;  // what at least one of its q8_quantize failures says
};

TEST_F(ExternalQuantizer, EachBrokenQuantizerIsRejectedNamingWhatItGetsWrong) {
  for (const Broken& b : {Broken{"q8_d_over_128", "d is "}, Broken{"q8_s_always_scaled", "s is "},
                          Broken{"q8_last_lane_dropped", "q[31] is 0, "}}) {
    SCOPED_TRACE(b.entry);
    const auto q = load_quantizer(broken(b.entry), 0);
    const auto fails = verify_q8_quantize(*ex_, 3, 4096, Values::kNormal, Q8Sum::kSumOfX, *q);
    ASSERT_FALSE(fails.empty()) << "not caught";
    std::string all;
    for (const std::string& f : fails) all += f + "\n";
    EXPECT_NE(all.find(b.expected), std::string::npos) << all;
    // The whole run, isolated, as mutate judges a quantizer's mutant: it fails too.
    IsolationOptions iso;
    iso.stop_at_first_failure = true;
    std::ostringstream quiet;
    const VerifyReport r =
        run_isolated_verify(q8_run(declare_quantizer(broken(b.entry)), 10), iso, quiet);
    EXPECT_FALSE(r.failures.empty());
  }
}

TEST_F(ExternalQuantizer, AnEntryWithOtherParametersIsRefused) {
  if (driver_api().func_get_param_info == nullptr)
    GTEST_SKIP() << "the driver cannot list an entry's parameters (before CUDA 12.4)";
  // gemv_q4k's entry takes (w, x, y, k): not q8_quantize_kernel's five parameters.
  const std::string q4k = (exe_dir() / ".." / "ptx" / "gemv_q4k.ptx").string() + ":gemv_q4k_kernel";
  try {
    load_quantizer(q4k, 0);
    ADD_FAILURE() << "loaded";
  } catch (const ExternalKernelError& e) {
    EXPECT_NE(std::string(e.what()).find("do not match"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace qgemv::testing
