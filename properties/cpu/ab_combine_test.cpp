// The A/B gate's processes combined: per-process CSVs as bench writes them, read back and
// combined into one row per case, and what CI is shown of them (markdown, JUnit).
#include "harness/results/ab_combine.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "harness/results/ab_gate_report.h"
#include "harness/results/ab_rows.h"
#include "harness/results/results_csv.h"

namespace qgemv {
namespace {

constexpr const char* kDown = "kernel/qwen2.5-1.5b/down/mwv_q8/1536x8960/batch";
constexpr const char* kGate = "kernel/qwen2.5-1.5b/gate/mwv_q8/8960x1536/launch";

AbRow row(const std::string& key, AbVerdict v, double ratio, double lo, double hi) {
  AbRow r;
  r.key = key;
  r.device = "NVIDIA H100 80GB HBM3";
  r.base_revision = "7de4ace";
  r.candidate_revision = "9b2e176-dirty";
  r.base_median_us = 10;
  r.candidate_median_us = 10 * ratio;
  r.ratio = ratio;
  r.ratio_lo = lo;
  r.ratio_hi = hi;
  r.confidence = 0.99;
  r.threshold_pct = 0.5;
  r.pairs = 40;
  r.rounds = 1;
  r.verdict = v;
  r.base_samples = r.candidate_samples = 80;
  r.sm_mhz = 1980;
  r.mem_mhz = 2619;
  r.process_verdicts = std::string(verdict_name(v));
  return r;
}

AbRow slower(const std::string& key, double ratio = 1.02) {
  return row(key, AbVerdict::kSlower, ratio, ratio - 0.005, ratio + 0.005);
}
AbRow same(const std::string& key) { return row(key, AbVerdict::kSame, 1.0, 0.998, 1.002); }

// Each process's rows through the CSV file bench writes, as the gate reads them.
std::vector<std::vector<AbRow>> through_files(const std::vector<std::vector<AbRow>>& processes) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("qgemv-ab-combine-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::vector<std::vector<AbRow>> out;
  for (size_t i = 0; i < processes.size(); ++i) {
    const auto file = dir / ("ab.process-" + std::to_string(i + 1) + ".csv");
    std::ofstream(file) << ab_rows_csv(processes[i]);
    out.push_back(read_ab_csv(file.string()));
  }
  std::filesystem::remove_all(dir);
  return out;
}

TEST(AbCombine, ARowIsSlowerOnlyWhenEveryProcessSaysSo) {
  const AbCombined c = combine_ab_processes(through_files({
      {slower(kDown, 1.02), slower(kGate)},
      {slower(kDown, 1.03), same(kGate)},
      {slower(kDown, 1.01), slower(kGate)},
  }));
  ASSERT_EQ(c.rows.size(), 2u);
  EXPECT_EQ(c.rows[0].key, kDown);
  EXPECT_EQ(c.rows[0].verdict, AbVerdict::kSlower);
  EXPECT_EQ(c.rows[0].process_verdicts, "slower/slower/slower");
  EXPECT_EQ(c.rows[1].verdict, AbVerdict::kAmbiguous);
  EXPECT_EQ(c.rows[1].process_verdicts, "slower/same/slower");
  EXPECT_TRUE(c.incomplete.empty());
}

TEST(AbCombine, SameAndFasterNeedAgreementToo) {
  const AbRow faster = row(kDown, AbVerdict::kFaster, 0.9, 0.89, 0.91);
  EXPECT_EQ(combine_ab_processes({{faster}, {faster}}).rows[0].verdict, AbVerdict::kFaster);
  EXPECT_EQ(combine_ab_processes({{same(kDown)}, {same(kDown)}}).rows[0].verdict, AbVerdict::kSame);
  EXPECT_EQ(combine_ab_processes({{faster}, {same(kDown)}}).rows[0].verdict, AbVerdict::kAmbiguous);
}

TEST(AbCombine, NumbersAreMediansEnvelopesAndSums) {
  AbRow a = slower(kDown, 1.02), b = slower(kDown, 1.04), c = slower(kDown, 1.03);
  b.rounds = 3;
  b.throttle_discards = 2;
  b.sm_mhz = 1700;
  const AbRow r = combine_ab_processes(through_files({{a}, {b}, {c}})).rows[0];
  EXPECT_DOUBLE_EQ(r.ratio, 1.03);
  EXPECT_DOUBLE_EQ(r.ratio_lo, 1.015);
  EXPECT_DOUBLE_EQ(r.ratio_hi, 1.045);
  EXPECT_DOUBLE_EQ(r.candidate_median_us, 10.3);
  EXPECT_EQ(r.pairs, 120);
  EXPECT_EQ(r.base_samples, 240);
  EXPECT_EQ(r.rounds, 3);
  EXPECT_EQ(r.throttle_discards, 2);
  EXPECT_DOUBLE_EQ(r.sm_mhz, 1980);
  EXPECT_EQ(r.processes, 3);
  EXPECT_EQ(r.base_revision, "7de4ace");
}

TEST(AbCombine, AnIntervalMissingInAnyProcessIsMissingCombined) {
  AbRow few = row(kDown, AbVerdict::kAmbiguous, 1.0, NAN, NAN);
  const AbRow r = combine_ab_processes(through_files({{same(kDown)}, {few}})).rows[0];
  EXPECT_TRUE(std::isnan(r.ratio_lo));
  EXPECT_TRUE(std::isnan(r.ratio_hi));
  EXPECT_NE(ab_rows_csv({r}).find(",-,-,"), std::string::npos);
}

TEST(AbCombine, ACaseMissingFromAProcessIsAmbiguousAndNamed) {
  const AbCombined c = combine_ab_processes({{slower(kDown)}, {}, {slower(kDown)}});
  ASSERT_EQ(c.rows.size(), 1u);
  EXPECT_EQ(c.rows[0].verdict, AbVerdict::kAmbiguous);
  EXPECT_EQ(c.rows[0].process_verdicts, "slower/-/slower");
  EXPECT_EQ(c.rows[0].processes, 2);
  EXPECT_EQ(c.incomplete, std::vector<std::string>{kDown});
}

TEST(AbCombine, ProcessesOfDifferentGatesAreRefused) {
  AbRow other = slower(kDown);
  other.base_revision = "f1f4fb8";
  EXPECT_THROW(combine_ab_processes({{slower(kDown)}, {other}}), std::invalid_argument);
  other = slower(kDown);
  other.threshold_pct = 1;
  EXPECT_THROW(combine_ab_processes({{slower(kDown)}, {other}}), std::invalid_argument);
  EXPECT_THROW(combine_ab_processes({{slower(kDown), slower(kDown)}}), std::invalid_argument);
  EXPECT_THROW(combine_ab_processes({}), std::invalid_argument);
}

TEST(AbRows, CsvRoundTripsAndRefusesWhatBenchDoesNotWrite) {
  const std::vector<AbRow> rows = {slower(kDown), same(kGate)};
  const std::vector<AbRow> back = through_files({rows})[0];
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(ab_rows_csv(back), ab_rows_csv(rows));

  const auto file = std::filesystem::temp_directory_path() /
                    ("qgemv-ab-rows-" + std::to_string(::getpid()) + ".csv");
  const std::string good = ab_rows_csv({slower(kDown)});
  const auto refused = [&](const std::string& text, const std::string& what) {
    std::ofstream(file) << text;
    try {
      read_ab_csv(file.string());
      ADD_FAILURE() << "read: " << text;
    } catch (const ResultsFileError& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  std::string text = good;
  refused(text.replace(text.find("\n1,") + 1, 1, "2"), ":2: ab_schema_version 2");
  text = good;
  refused(text.replace(text.find(",slower,"), 8, ",worse,"), "column verdict");
  refused(good + good.substr(good.find('\n') + 1), "given twice");
  refused("key,verdict\n", "no column ab_schema_version");
  // A column named twice: the second would silently win.
  refused("key,key,verdict\n", "column 'key' appears twice");
  std::filesystem::remove(file);
}

TEST(AbGateReport, MarkdownListsSlowerRowsFirstAndJunitFailsOnlyThem) {
  std::vector<AbRow> rows = {same(kGate), slower(kDown)};
  rows[1].process_verdicts = "slower/slower/slower";
  const std::string md = ab_markdown(rows);
  EXPECT_EQ(md.substr(0, md.find('\n')),
            "2 rows: 1 slower, 0 faster, 1 same, 0 ambiguous; base 7de4ace, candidate "
            "9b2e176-dirty, threshold 0.5%");
  EXPECT_LT(md.find(kDown), md.find(kGate)) << md;
  EXPECT_NE(md.find("| " + std::string(kDown) +
                    " | 10.000 | 10.200 | 1.0200 | [1.0150, 1.0250] | slower | "
                    "slower/slower/slower |"),
            std::string::npos)
      << md;
  const std::vector<JunitCase> cases = ab_junit_cases(rows);
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].outcome, JunitCase::Outcome::kPassed);
  EXPECT_EQ(cases[1].outcome, JunitCase::Outcome::kFailed);
  EXPECT_EQ(cases[1].classname, "bench.ab.kernel.qwen2.5-1.5b");
  EXPECT_NE(cases[1].message.find("x1.0200 [1.0150, 1.0250]"), std::string::npos)
      << cases[1].message;
  EXPECT_NE(cases[1].message.find("processes slower/slower/slower"), std::string::npos);
}

}  // namespace
}  // namespace qgemv
