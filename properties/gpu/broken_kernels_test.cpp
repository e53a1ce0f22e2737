// The deliberately broken kernels (properties/gpu/broken/) through the real, isolated
// verification: each broken path must fail, every one of its failures with a message that names
// what happened, without compute-sanitizer, and every healthy path beside them must pass. Kernels
// that fault run alone on the GPU, in a verification of their own with one worker; the trap and
// the hang only with QGEMV_SELF_TEST_TRAP_AND_HANG=1. Every run must leave the GPU healthy.
#include "properties/gpu/broken/broken_kernels.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <random>
#include <sstream>

#include "harness/bench/kernel_bench.h"
#include "harness/executor/device_info.h"
#include "harness/verify/isolated_verify.h"

namespace qgemv::testing {
namespace {

void print(const VerifyReport& rep) {
  std::cout << "\n| suite | cases | failures |\n| --- | ---: | ---: |\n";
  for (const auto& [name, t] : rep.tallies)
    std::cout << "| " << name << " | " << t.cases << " | " << t.failures << " |\n";
  for (const auto& f : rep.failures) std::cout << "\nFAIL " << f.text << "\n";
  std::cout << "\n" << health_summary(rep.health) << std::flush;
}

// Each failure of a broken path says what its bug does, and it has at least one.
void expect_caught(const VerifyReport& rep, const BrokenPath& b) {
  const std::string name(path_name(b.path));
  int failures = 0;
  for (const auto& f : rep.failures) {
    if (f.text.rfind(name + " ", 0) != 0) continue;
    ++failures;
    EXPECT_NE(f.text.find(b.expected), std::string::npos)
        << name << ": a failure that does not say '" << b.expected << "':\n"
        << f.text;
  }
  EXPECT_GT(failures, 0) << name << " not caught";
}

bool opted_in() {
  const char* v = std::getenv(kOptInEnv);
  return v != nullptr && std::string(v) == "1";
}

TEST(BrokenKernels, EachCaughtWithItsCauseWhileHealthyPathsPass) {
  const DeviceInfo d = query_device();
  if (!d.available) GTEST_SKIP() << "no CUDA device: " << d.reason;
  VerifyOptions opt;
  opt.cases = 16;
  opt.seed = std::random_device{}();
  opt.max_n = 1024;
  opt.max_k = 8192;
  opt.paths = builtin_paths();
  for (const BrokenPath& b : broken_paths())
    if (b.harm == Harm::kNone) opt.paths.push_back(b.path);
  IsolationOptions iso;
  iso.jobs = 4;
  std::cout << "seed " << opt.seed << ", " << opt.cases << " cases, " << opt.paths.size()
            << " paths in " << iso.jobs << " workers\n";
  const VerifyReport rep = run_isolated_verify(opt, iso, std::cout);
  print(rep);
  EXPECT_TRUE(rep.health.unhealthy.empty()) << rep.health.unhealthy;
  for (const auto& [name, t] : rep.tallies) {
    if (name.rfind("broken_", 0) == 0) continue;
    EXPECT_GT(t.cases, 0) << name;
    EXPECT_EQ(t.failures, 0) << name << ": a healthy path or check failed beside the broken ones";
  }
  for (Path p : builtin_paths())
    EXPECT_TRUE(rep.tallies.count(std::string(path_name(p)) + "/into")) << path_name(p);
  for (const BrokenPath& b : broken_paths())
    if (b.harm == Harm::kNone) expect_caught(rep, b);
}

TEST(BrokenKernels, KernelsThatFaultRunAloneAndLeaveTheGpuHealthy) {
  const DeviceInfo d = query_device();
  if (!d.available) GTEST_SKIP() << "no CUDA device: " << d.reason;
  int ran = 0;
  for (const BrokenPath& b : broken_paths()) {
    if (b.harm == Harm::kNone || (b.harm == Harm::kOptIn && !opted_in())) continue;
    VerifyOptions opt;
    opt.cases = 4;
    opt.seed = std::random_device{}();
    opt.max_n = 1024;
    opt.max_k = 8192;
    opt.structured = false;
    opt.paths = {b.path};
    IsolationOptions iso;
    iso.jobs = 1;
    // The hang kernel outlasts this deadline fourfold and ends well inside the grace period.
    iso.timeout_s = kHangSeconds / 4;
    iso.grace_s = 2 * kHangSeconds;
    std::cout << "\n## " << path_name(b.path) << " alone: seed " << opt.seed << ", " << opt.cases
              << " cases, 1 worker\n";
    const VerifyReport rep = run_isolated_verify(opt, iso, std::cout);
    print(rep);
    EXPECT_TRUE(rep.health.unhealthy.empty()) << path_name(b.path) << ": " << rep.health.unhealthy;
    EXPECT_GE(rep.health.probes, 2) << "a probe before the run and one after the fault";
    expect_caught(rep, b);
    ++ran;
  }
  EXPECT_GT(ran, 0);
  if (!opted_in())
    std::cout << "\nthe trap and hang kernels were not run (set " << kOptInEnv << "=1)\n";
}

TEST(TestOnlyPath, RunsThroughVerifyAndBenchLikeABuiltinOne) {
  const DeviceInfo d = query_device();
  if (!d.available) GTEST_SKIP() << "no CUDA device: " << d.reason;
  ASSERT_TRUE(find_path("test_warp_per_row"));
  Executor ex;
  VerifyOptions opt;
  opt.cases = 30;
  opt.seed = std::random_device{}();
  opt.paths = {healthy_test_path()};
  std::ostringstream progress;
  const VerifyReport rep = run_verify(ex, opt, progress);
  EXPECT_TRUE(rep.failures.empty()) << rep.failures.front().text;
  EXPECT_EQ(rep.tallies.at("test_warp_per_row/graph").cases, 30);
  KernelBench kb(ex, {}, d.l2_bytes);
  const auto cases = kernel_cases({"qwen2.5-1.5b"}, {healthy_test_path()},
                                  {std::begin(kAllKernelTimings), std::end(kAllKernelTimings)});
  int timed = 0;
  for (const KernelCase& c : cases) {
    if (c.read_only) continue;  // the read rows time no path
    kb.prepare(c);
    const double us = kb.sample_us();
    EXPECT_GT(us, 1.0) << c.name();
    kb.check_output();
    ++timed;
  }
  EXPECT_EQ(timed, 2 * 7);  // q k v o gate up down, one launch and batch
}

}  // namespace
}  // namespace qgemv::testing
