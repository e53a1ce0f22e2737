// JUnit XML: counts, outcomes and escaping, and compare's cases with their numbers.
#include "harness/io/junit_xml.h"

#include <gtest/gtest.h>

#include "harness/results/compare.h"

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

}  // namespace
}  // namespace qgemv
