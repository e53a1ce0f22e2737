// The deliberately broken kernels (properties/gpu/broken/) through the real, isolated
// verification, beside healthy paths in the same run: each broken path must fail with a message
// that names what happened, without compute-sanitizer, and every healthy path must pass.
#include "properties/gpu/broken/broken_kernels.h"

#include <gtest/gtest.h>

#include <iostream>
#include <random>
#include <sstream>

#include "harness/bench/kernel_bench.h"
#include "harness/executor/device_info.h"
#include "harness/verify/isolated_verify.h"

namespace qgemv::testing {
namespace {

TEST(BrokenKernels, EachCaughtWithItsCauseWhileHealthyPathsPass) {
  const DeviceInfo d = query_device();
  if (!d.available) GTEST_SKIP() << "no CUDA device: " << d.reason;
  VerifyOptions opt;
  opt.cases = 16;
  opt.seed = std::random_device{}();
  opt.max_n = 1024;
  opt.max_k = 8192;
  opt.paths = builtin_paths();
  for (const BrokenPath& b : broken_paths()) opt.paths.push_back(b.path);
  IsolationOptions iso;
  iso.jobs = 4;
  std::cout << "seed " << opt.seed << ", " << opt.cases << " cases, " << opt.paths.size()
            << " paths in " << iso.jobs << " workers\n";
  const VerifyReport rep = run_isolated_verify(opt, iso, std::cout);

  std::cout << "\n| suite | cases | failures |\n| --- | ---: | ---: |\n";
  for (const auto& [name, t] : rep.tallies)
    std::cout << "| " << name << " | " << t.cases << " | " << t.failures << " |\n";
  for (const auto& f : rep.failures) std::cout << "\nFAIL " << f.text << "\n";

  for (const auto& [name, t] : rep.tallies) {
    if (name.rfind("broken_", 0) == 0) continue;
    EXPECT_GT(t.cases, 0) << name;
    EXPECT_EQ(t.failures, 0) << name << ": a healthy path or check failed beside the broken ones";
  }
  for (Path p : builtin_paths())
    EXPECT_TRUE(rep.tallies.count(std::string(path_name(p)) + "/into")) << path_name(p);
  for (const BrokenPath& b : broken_paths()) {
    const std::string name(path_name(b.path));
    bool caught = false;
    for (const auto& f : rep.failures)
      if (f.text.rfind(name + " ", 0) == 0 && f.text.find(b.expected) != std::string::npos)
        caught = true;
    EXPECT_TRUE(caught) << name << " not caught with a message saying '" << b.expected << "'";
  }
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
