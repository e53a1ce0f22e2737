// JUnit XML: counts, outcomes and escaping, compare's cases with their numbers, and verify's
// cases with their failures.
#include "harness/io/junit_xml.h"

#include <gtest/gtest.h>

#include "harness/results/compare.h"
#include "harness/verify/verify_junit.h"
#include "harness/verify/worker_protocol.h"

namespace qgemv {
namespace {

TEST(JunitXml, CountsOutcomesAndEscapes) {
  std::vector<JunitCase> cases(3);
  cases[0].classname = "verify.mwv";
  cases[0].name = "mwv/into";
  cases[0].seconds = 0.5;
  cases[1] = {"verify.q4k",      "q4k <&> \"x\"",       0, JunitCase::Outcome::kFailed,
              "1 of 2 'failed'", "row 3: got nan\x01\n"};
  cases[2] = {"compare.kernel", "new", 0, JunitCase::Outcome::kSkipped, "no baseline", ""};
  const std::string xml = junit_xml("qgemv verify", cases);
  EXPECT_NE(xml.find("<testsuite name=\"qgemv verify\" tests=\"3\" failures=\"1\" skipped=\"1\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("name=\"q4k &lt;&amp;&gt; &quot;x&quot;\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<failure message=\"1 of 2 &apos;failed&apos;\">row 3: got nan\n</failure>"),
            std::string::npos)
      << xml;  // the control character is dropped: XML 1.0 cannot hold it
  EXPECT_NE(xml.find("<skipped message=\"no baseline\"/>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<testcase classname=\"verify.mwv\" name=\"mwv/into\" time=\"0.5\"/>"),
            std::string::npos)
      << xml;
}

ResultRow row(const std::string& path, double median) {
  ResultRow r;
  r.suite = "kernel";
  r.preset = "qwen2.5-7b";
  r.projection = "gate";
  r.path = path;
  r.mode.assign(1, '-');  // one-launch timing
  r.n = 18944;
  r.k = 3584;
  r.device = "H100";
  r.median_us = median;
  r.p10_us = median * 0.99;
  r.p90_us = median * 1.01;
  return r;
}

TEST(JunitXml, CompareFailsRegressionsAndMissingCasesWithTheirNumbers) {
  const std::vector<ResultRow> base = {row("mwv", 10), row("q4k", 40), row("tiled", 20)};
  const std::vector<ResultRow> next = {row("mwv", 12), row("q4k", 40), row("dp4a", 30)};
  CompareOptions opt;
  const auto cases = junit_cases(compare_results(base, next, opt, "base", "new"), opt);
  ASSERT_EQ(cases.size(), 4u);
  auto find = [&](const std::string& path) {
    for (const JunitCase& c : cases)
      if (c.name.find(std::string("/") + path + "/") != std::string::npos) return c;
    ADD_FAILURE() << path;
    return JunitCase{};
  };
  EXPECT_EQ(find("mwv").outcome, JunitCase::Outcome::kFailed);
  EXPECT_NE(find("mwv").message.find("median 10 us -> 12 us (x1.2)"), std::string::npos)
      << find("mwv").message;
  EXPECT_EQ(find("q4k").outcome, JunitCase::Outcome::kPassed);
  EXPECT_EQ(find("tiled").outcome, JunitCase::Outcome::kFailed);  // missing from the new run
  EXPECT_EQ(find("dp4a").outcome, JunitCase::Outcome::kSkipped);  // no baseline
  opt.allow_missing = true;
  const auto allowed = junit_cases(compare_results(base, next, opt, "base", "new"), opt);
  for (const JunitCase& c : allowed) {
    if (c.name.find("/tiled/") != std::string::npos) {
      EXPECT_EQ(c.outcome, JunitCase::Outcome::kSkipped);
    }
  }
}

// An isolated run over several devices starts every failure's text with its device, which no
// tally's name matches: each failure must still land in the case of the tally it counted toward.
TEST(JunitXml, VerifyFailuresFollowTheirTallyWhateverTheirText) {
  VerifyReport worker;
  worker.tallies["mwv/into"] = {10, 1};
  worker.tallies["mwv/graph"] = {10, 0};
  worker.tallies["q4k/async"] = {10, 1};
  worker.tallies["q8_quantize"] = {30, 1};
  worker.tallies["tiled/one-hot k=512"] = {1, 1};
  worker.tallies["worker"] = {0, 1};
  worker.failures = {
      {"mwv/into", "mwv seed=7 n=3 k=256 form=into: two runs on the same input differ"},
      {"q4k/async", "q4k seed=8 n=5 k=512 form=async: fault: illegal address (exit status 5)"},
      {"q8_quantize", "q8_quantize block 2 of 4096 normal values (seed 9) differs"},
      {"tiled/one-hot k=512", "tiled one-hot at position 3 (seed=10 n=9 k=512): 1 of 9 rows"},
      {"worker", "verification worker for shard 1 stopped after unit 4: fault: the worker died"}};
  // As the supervisor of `qgemv verify --devices 0,1` has it from a worker on device 1.
  VerifyReport rep = worker::decode_report(worker::encode_report(worker));
  for (Failure& f : rep.failures) f.text = "device 1: " + f.text;

  std::vector<JunitCase> cases = verify_junit_cases(rep);
  // The last case is the GPU's health, passed while the run had a healthy GPU.
  ASSERT_EQ(cases.size(), worker.tallies.size() + 1);
  EXPECT_EQ(cases.back().name, "GPU healthy throughout the run");
  EXPECT_EQ(cases.back().outcome, JunitCase::Outcome::kPassed);
  cases.pop_back();
  for (const JunitCase& c : cases) {
    const std::string tally = c.name.substr(0, c.name.find(" ("));
    if (tally == "mwv/graph") {
      EXPECT_EQ(c.outcome, JunitCase::Outcome::kPassed);
      EXPECT_EQ(c.details, "");
      continue;
    }
    EXPECT_EQ(c.outcome, JunitCase::Outcome::kFailed) << tally;
    std::string expected;
    for (const Failure& f : worker.failures)
      if (f.tally == tally) expected += "device 1: " + f.text + "\n";
    EXPECT_EQ(c.details, expected) << tally;
  }
}

TEST(JunitXml, AnUnhealthyGpuFailsTheRunWhateverItsTallies) {
  VerifyReport rep;
  rep.tallies["mwv/into"] = {10, 0};
  rep.health.unhealthy = "Xid 79 (GPU has fallen off the bus) on device 0";
  rep.health.xids = {{0, 79, 3.5}};
  const std::vector<JunitCase> cases = verify_junit_cases(rep);
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].outcome, JunitCase::Outcome::kPassed);
  EXPECT_EQ(cases[1].outcome, JunitCase::Outcome::kFailed);
  EXPECT_NE(cases[1].details.find("Xid 79 (GPU has fallen off the bus) on device 0 at 3.5 s"),
            std::string::npos)
      << cases[1].details;
}

}  // namespace
}  // namespace qgemv
