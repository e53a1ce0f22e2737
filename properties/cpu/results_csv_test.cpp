// Results CSV round trip, malformed files, and compare's verdicts and exit semantics.
#include "harness/results/results_csv.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "harness/results/compare.h"

namespace qgemv {
namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / (std::to_string(::getpid()) + "-" + name))
      .string();
}

ResultRow row(const std::string& path, double median, double p10, double p90) {
  ResultRow r;
  r.suite = "kernel";
  r.preset = "qwen2.5-7b";
  r.projection = "gate";
  r.path = path;
  r.mode = "-";
  r.n = 18944;
  r.k = 3584;
  r.device = "NVIDIA H100 80GB HBM3";
  r.driver = "13.0";
  r.cuda_runtime = "13.0";
  r.git_rev = "abc, \"quoted\"";
  r.ceiling_gbps = 3090;
  r.repetitions = 50;
  r.median_us = median;
  r.p10_us = p10;
  r.p90_us = p90;
  r.bytes = 38191104;
  r.gbps = r.bytes / median / 1e3;
  r.pct_ceiling = 100 * r.gbps / r.ceiling_gbps;
  r.gpu_us = median + 1;
  r.kernel_us = median - 1;
  r.alloc_us = 2.5;
  r.launch_us = 3.25;
  r.sync_us = 4.125;
  r.allocations = 392;
  r.launches = 196;
  return r;
}

void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

std::string header() {
  std::string h;
  for (const auto& c : result_columns()) h += (h.empty() ? "" : ",") + c;
  return h + "\n";
}

TEST(ResultsCsv, RoundTripsEveryField) {
  const std::string p = temp_path("roundtrip.csv");
  const std::vector<ResultRow> rows = {row("mwv", 14.5, 14.2, 15.0), row("q4k", 40, 39, 41)};
  write_results_file(p, rows);
  const auto back = read_results_file(p);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].git_rev, rows[0].git_rev);
  EXPECT_EQ(back[0].key(), rows[0].key());
  EXPECT_DOUBLE_EQ(back[1].median_us, 40);
  EXPECT_EQ(back[1].bytes, rows[1].bytes);
  EXPECT_DOUBLE_EQ(back[1].gpu_us, rows[1].gpu_us);
  EXPECT_DOUBLE_EQ(back[1].kernel_us, rows[1].kernel_us);
  EXPECT_DOUBLE_EQ(back[1].alloc_us, 2.5);
  EXPECT_DOUBLE_EQ(back[1].launch_us, 3.25);
  EXPECT_DOUBLE_EQ(back[1].sync_us, 4.125);
  EXPECT_EQ(back[1].allocations, 392);
  EXPECT_EQ(back[1].launches, 196);
  EXPECT_FALSE(std::filesystem::exists(p + ".partial"));
}

void expect_error_naming(const std::string& text, const std::string& fragment) {
  const std::string p = temp_path("bad.csv");
  write_text(p, text);
  try {
    read_results_file(p);
    FAIL() << "accepted a malformed file: " << text;
  } catch (const ResultsFileError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("bad.csv"), std::string::npos) << msg;
    EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
  }
}

TEST(ResultsCsv, MalformedFilesNameFileAndLine) {
  const std::string tail = ",5,5,0,0,0,0,1\n";  // gpu, kernel, alloc, launch, sync, counts
  const std::string good =
      "2,kernel,p,gate,mwv,-,8,256,dev,13.0,13.0,abc,3000,10,5,4,6,1000,1,1" + tail;
  expect_error_naming("", "empty file, no header line");
  expect_error_naming("schema_version,suite\n1,kernel\n", ":1: header lacks column(s) preset,");
  expect_error_naming(header() + good +
                          "2,kernel,p,gate,mwv,-,eight,256,dev,13.0,13.0,abc,3000,"
                          "10,5,4,6,1000,1,1" +
                          tail,
                      ":3: column n: expected an integer, got 'eight'");
  expect_error_naming(header() + good + good, ":3: duplicate row");
  expect_error_naming(header() + "1" + good.substr(1), ":2: schema_version 1");
  expect_error_naming(header() + good.substr(0, good.size() - 2) + "-1\n",
                      ":2: launches must be non-negative, got -1");
  expect_error_naming(header() +
                          "2,kernel,p,gate,mwv,-,8,256,dev,13.0,13.0,abc,3000,10,5,6,4,"
                          "1000,1,1" +
                          tail,
                      ":2: expected p10_us <= median_us <= p90_us");
  expect_error_naming(header() + "2,kernel,p,gate,mwv\n", ":2: 5 fields, but the header");
  try {
    read_results_file(temp_path("does-not-exist.csv"));
    FAIL();
  } catch (const ResultsFileError& e) {
    EXPECT_NE(std::string(e.what()).find("does-not-exist.csv"), std::string::npos);
  }
}

TEST(Compare, SameRunsAreNoChange) {
  const std::vector<ResultRow> a = {row("mwv", 14.5, 14.2, 15.0), row("q4k", 40, 39, 41)};
  const Comparison c = compare_results(a, a, {}, "a", "b");
  EXPECT_EQ(c.regressions(), 0);
  EXPECT_EQ(c.improvements(), 0);
}

TEST(Compare, RealSlowdownIsRegression) {
  const Comparison c =
      compare_results({row("mwv", 14.5, 14.2, 15.0)}, {row("mwv", 17.0, 16.8, 17.3)}, {}, "a", "b");
  ASSERT_EQ(c.rows.size(), 1u);
  EXPECT_EQ(c.rows[0].verdict, Verdict::kSlower);
  EXPECT_NEAR(c.rows[0].ratio, 17.0 / 14.5, 1e-12);
  EXPECT_EQ(c.regressions(), 1);
}

TEST(Compare, ChangeWithinNoiseOrThresholdIsNoChange) {
  // 8% slower, but the p10-p90 intervals overlap: noise.
  EXPECT_EQ(compare_results({row("mwv", 10, 9, 11)}, {row("mwv", 10.8, 9.5, 12)}, {}, "a", "b")
                .rows[0]
                .verdict,
            Verdict::kNoChange);
  // 3% slower with tight spreads: under the 5% threshold.
  EXPECT_EQ(
      compare_results({row("mwv", 10, 9.99, 10.01)}, {row("mwv", 10.3, 10.29, 10.31)}, {}, "a", "b")
          .rows[0]
          .verdict,
      Verdict::kNoChange);
  CompareOptions strict;
  strict.threshold = 0.01;
  EXPECT_EQ(compare_results({row("mwv", 10, 9.99, 10.01)}, {row("mwv", 10.3, 10.29, 10.31)}, strict,
                            "a", "b")
                .rows[0]
                .verdict,
            Verdict::kSlower);
}

TEST(Compare, FasterAndOneSidedRows) {
  const Comparison c =
      compare_results({row("mwv", 20, 19.8, 20.2), row("q4k", 40, 39, 41)},
                      {row("mwv", 15, 14.8, 15.2), row("dp4a", 30, 29, 31)}, {}, "a", "b");
  ASSERT_EQ(c.rows.size(), 3u);
  EXPECT_EQ(c.rows[0].verdict, Verdict::kFaster);
  EXPECT_EQ(c.rows[1].verdict, Verdict::kOnlyInBase);
  EXPECT_EQ(c.rows[2].verdict, Verdict::kOnlyInNew);
  const std::string md = to_markdown(c, {});
  EXPECT_NE(md.find("only in new"), std::string::npos);
  EXPECT_NE(md.find("| kernel/qwen2.5-7b/gate/mwv/-/18944x3584 |"), std::string::npos) << md;
}

TEST(Compare, DifferentDevicesAreAnError) {
  ResultRow other = row("mwv", 14, 13, 15);
  other.device = "NVIDIA H200";
  EXPECT_THROW(compare_results({row("mwv", 14, 13, 15)}, {other}, {}, "a", "b"),
               std::runtime_error);
  CompareOptions allow;
  allow.allow_device_mismatch = true;
  EXPECT_NO_THROW(compare_results({row("mwv", 14, 13, 15)}, {other}, allow, "a", "b"));
}

}  // namespace
}  // namespace qgemv
