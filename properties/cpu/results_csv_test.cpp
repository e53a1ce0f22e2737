// Results CSV round trip, malformed files, and compare's verdicts and exit semantics.
#include "harness/results/results_csv.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "harness/results/compare.h"
#include "harness/results/merge.h"

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

// Whether a write left its temporary (NAME.partial-XXXXXX) beside `path`.
bool left_a_temporary(const std::string& path) {
  const std::filesystem::path p = path;
  const std::string prefix = p.filename().string() + ".partial";
  for (const auto& e : std::filesystem::directory_iterator(p.parent_path()))
    if (e.path().filename().string().starts_with(prefix)) return true;
  return false;
}

// The header of a version 2 file: the columns before version 3's clock columns. The tests
// below write version 2 rows by hand, as files committed before version 3 hold them.
std::string header() {
  const std::vector<std::string>& cols = result_columns();
  std::string h;
  for (size_t i = 0; i + kColumnsAddedInVersion3 < cols.size(); ++i) {
    if (i) h += ',';
    h += cols[i];
  }
  return h + "\n";
}

TEST(ResultsCsv, Version3AddedTheClockColumnsLast) {
  const std::span<const std::string> v3 = columns_added_in_version3();
  EXPECT_EQ(std::vector<std::string>(v3.begin(), v3.end()),
            (std::vector<std::string>{"sm_mhz", "mem_mhz", "clocks_locked", "throttle_discards",
                                      "throttle_reasons", "noise_pct"}));
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
  EXPECT_FALSE(left_a_temporary(p));
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

TEST(ResultsCsv, Version3ColumnsRoundTripAndVersion2FilesReadAsNotRecorded) {
  ResultRow r = row("mwv", 14.5, 14.2, 15.0);
  r.sm_mhz = 1980;
  r.mem_mhz = 2619;
  r.clocks_locked = 1;
  r.throttle_discards = 7;
  r.throttle_reasons = "sw_power_cap|hw_slowdown";
  r.noise_pct = 0.25;
  const std::string p = temp_path("v3.csv");
  write_results_file(p, {r});
  const ResultRow back = read_results_file(p).at(0);
  EXPECT_EQ(back.schema_version, 3);
  EXPECT_DOUBLE_EQ(back.sm_mhz, 1980);
  EXPECT_DOUBLE_EQ(back.mem_mhz, 2619);
  EXPECT_EQ(back.clocks_locked, 1);
  EXPECT_EQ(back.throttle_discards, 7);
  EXPECT_EQ(back.throttle_reasons, "sw_power_cap|hw_slowdown");
  EXPECT_DOUBLE_EQ(back.noise_pct, 0.25);

  const std::string v2 = temp_path("v2.csv");
  write_text(v2, header() +
                     "2,kernel,p,gate,mwv,-,8,256,dev,13.0,13.0,abc,3000,10,5,4,6,1000,1,1,"
                     "5,5,0,0,0,0,1\n");
  const ResultRow old = read_results_file(v2).at(0);
  EXPECT_EQ(old.schema_version, 3);  // upgraded: written back as version 3
  EXPECT_EQ(old.sm_mhz, 0);
  EXPECT_EQ(old.throttle_reasons, "-");
  EXPECT_EQ(old.noise_pct, -1);
  // A version 3 row under a version 2 header lacks its clock columns.
  expect_error_naming(header() +
                          "3,kernel,p,gate,mwv,-,8,256,dev,13.0,13.0,abc,3000,10,5,4,6,"
                          "1000,1,1,5,5,0,0,0,0,1\n",
                      ":2: a version 3 row, but the header lacks the version 3 columns");
  r.noise_pct = -0.5;
  EXPECT_THROW(write_results_file(p, {r}), ResultsFileError);
  r.noise_pct = 1;
  r.clocks_locked = 2;
  EXPECT_THROW(write_results_file(p, {r}), ResultsFileError);
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
  // 3% slower with tight spreads: under the 5% threshold of one-launch kernel rows.
  EXPECT_EQ(
      compare_results({row("mwv", 10, 9.99, 10.01)}, {row("mwv", 10.3, 10.29, 10.31)}, {}, "a", "b")
          .rows[0]
          .verdict,
      Verdict::kNoChange);
  CompareOptions strict;
  strict.launch_threshold = 0.01;
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

TEST(ResultsCsv, RejectsWhatMergeCouldNotPool) {
  const std::string tail = ",5,5,0,0,0,0,1\n";
  const auto line = [&](const std::string& n, const std::string& ceiling, const std::string& reps,
                        const std::string& median, const std::string& bytes) {
    return header() + "2,kernel,p,gate,mwv,-," + n + ",256,dev,13.0,13.0,abc," + ceiling + "," +
           reps + "," + median + ",4,6," + bytes + ",1,1" + tail;
  };
  expect_error_naming(line("8", "0", "10", "5", "1000"), ":2: ceiling_gbps must be positive");
  expect_error_naming(line("8", "3000", "10", "5", "-1"), ":2: bytes must be non-negative");
  expect_error_naming(line("-8", "3000", "10", "5", "1000"), ":2: n must be positive");
  expect_error_naming(line("8", "3000", "0", "5", "1000"), ":2: repetitions must be positive");
  expect_error_naming(line("8", "3000", "10", "nan", "1000"),
                      ":2: median_us must be finite and non-negative, got nan");
  expect_error_naming(line("8", "3000", "10", "inf", "1000"), ":2: median_us must be finite");
  expect_error_naming(line("8", "3000", "10", "fast", "1000"),
                      ":2: column median_us: expected a number, got 'fast'");
  expect_error_naming(line("8", "3000", "99999999999999999999", "5", "1000"),
                      ":2: column repetitions: 99999999999999999999 is out of range");
}

TEST(ResultsCsv, LineEndingsBlankLinesAndDevices) {
  const std::string tail = ",5,5,0,0,0,0,1";
  const auto good = [&](const std::string& path, const std::string& device) {
    return "2,kernel,p,gate," + path + ",-,8,256," + device +
           ",13.0,13.0,abc,3000,10,5,4,6,1000,"
           "1,1" +
           tail;
  };
  std::string h = header();
  h.pop_back();
  const std::string p = temp_path("endings.csv");
  for (const std::string eol : {"\n", "\r\n", "\r"}) {
    write_text(p, h + eol + good("mwv", "dev") + eol + eol + good("q4k", "dev") + eol);
    const auto rows = read_results_file(p);
    ASSERT_EQ(rows.size(), 2u) << "line end " << int(eol.back());
    EXPECT_EQ(rows[1].path, "q4k");
    EXPECT_EQ(rows[1].launches, 1);
  }
  // A spreadsheet's "CSV UTF-8" starts with a byte order mark; it is not part of the header,
  // and the line numbers stay an editor's.
  write_text(p, "\xEF\xBB\xBF" + h + "\n" + good("mwv", "dev") + "\n");
  EXPECT_EQ(read_results_file(p).size(), 1u);
  expect_error_naming("\xEF\xBB\xBF" + h + "\n" + good("mwv", "dev") + "\n" + good("mwv", "dev"),
                      ":3: duplicate row");
  // One file is one run of one device; the second device is named with its line.
  expect_error_naming(h + "\n" + good("mwv", "dev") + "\n\n" + good("q4k", "other") + "\n",
                      ":4: device 'other' differs from 'dev'");
  expect_error_naming(h + "\n" + good("mwv", "\"dev") + "\n", ":2: field 9: the quote opened");
  const std::string dir = temp_path("a-directory.csv");
  std::filesystem::create_directories(dir);
  try {
    read_results_file(dir);
    FAIL() << "read a directory";
  } catch (const ResultsFileError& e) {
    EXPECT_NE(std::string(e.what()).find("a-directory.csv: cannot read: Is a directory"),
              std::string::npos)
        << e.what();
  }
  std::filesystem::remove(dir);
}

// Every string a row can carry (a GGUF general.name goes into preset) reads back byte for byte.
RC_GTEST_PROP(ResultsCsv, ArbitraryStringsAndNumbersRoundTripExactly, ()) {
  ResultRow r = row("mwv", 14.5, 14.2, 15.0);
  const auto text = [] {
    return rc::gen::oneOf(rc::gen::arbitrary<std::string>(),
                          rc::gen::container<std::string>(
                              rc::gen::element(' ', '\t', ',', '"', '\n', '\r', 'a', '\0')));
  };
  r.preset = *text();
  r.projection = *text();
  r.path = *text();
  r.mode = *text();
  r.device = *text();
  r.driver = *text();
  r.cuda_runtime = *text();
  r.git_rev = *text();
  const auto positive = rc::gen::map(rc::gen::arbitrary<uint64_t>(), [](uint64_t bits) {
    double v = std::fabs(std::bit_cast<double>(bits));
    return std::isfinite(v) && v > 0 ? v : 1.0;
  });
  r.p10_us = *positive;
  r.median_us = r.p10_us * (1 + *rc::gen::inRange(0, 1000) / 1000.0);
  r.p90_us = std::max(r.median_us, *positive);
  r.ceiling_gbps = *positive;
  r.gbps = *positive;
  r.pct_ceiling = *positive;
  r.gpu_us = *positive;
  r.n = *rc::gen::inRange<int64_t>(1, std::numeric_limits<int64_t>::max());
  r.repetitions = *rc::gen::inRange<int64_t>(1, std::numeric_limits<int64_t>::max());
  RC_PRE(!row_problem(r).has_value());
  const std::string p = temp_path("strings.csv");
  write_results_file(p, {r});
  const auto back = read_results_file(p);
  RC_ASSERT(back.size() == 1u);
  const ResultRow& b = back[0];
  RC_ASSERT(b.preset == r.preset);
  RC_ASSERT(b.projection == r.projection);
  RC_ASSERT(b.path == r.path);
  RC_ASSERT(b.mode == r.mode);
  RC_ASSERT(b.device == r.device);
  RC_ASSERT(b.driver == r.driver);
  RC_ASSERT(b.cuda_runtime == r.cuda_runtime);
  RC_ASSERT(b.git_rev == r.git_rev);
  RC_ASSERT(b.median_us == r.median_us);
  RC_ASSERT(b.p10_us == r.p10_us);
  RC_ASSERT(b.p90_us == r.p90_us);
  RC_ASSERT(b.ceiling_gbps == r.ceiling_gbps);
  RC_ASSERT(b.gbps == r.gbps);
  RC_ASSERT(b.n == r.n);
  RC_ASSERT(b.repetitions == r.repetitions);
}

TEST(ResultsCsv, WriterRefusesRowsTheReaderWouldRejectAndWritesNothing) {
  const std::string p = temp_path("refused.csv");
  std::filesystem::remove(p);
  ResultRow bad = row("mwv", 14.5, 14.2, 15.0);
  bad.pct_ceiling = std::numeric_limits<double>::infinity();
  try {
    write_results_file(p, {row("q4k", 40, 39, 41), bad});
    FAIL() << "wrote a row with pct_ceiling inf";
  } catch (const ResultsFileError& e) {
    EXPECT_NE(std::string(e.what()).find("pct_ceiling must be finite"), std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(p));
  EXPECT_FALSE(left_a_temporary(p));
}

TEST(Compare, RowsMissingFromTheNewRunFailTheGateUnlessAllowed) {
  const std::vector<ResultRow> base = {row("mwv", 14.5, 14.2, 15.0), row("q4k", 40, 39, 41)};
  for (const std::vector<ResultRow>& next :
       {std::vector<ResultRow>{}, std::vector<ResultRow>{row("mwv", 14.5, 14.2, 15.0)}}) {
    const Comparison c = compare_results(base, next, {}, "base", "new");
    EXPECT_EQ(c.regressions(), 0);
    EXPECT_EQ(c.only_in_base(), int(base.size() - next.size()));
    EXPECT_TRUE(c.failed({}));
    CompareOptions allow;
    allow.allow_missing = true;
    EXPECT_FALSE(c.failed(allow));
    const std::string md = to_markdown(c, {});
    EXPECT_NE(md.find(std::to_string(c.only_in_base()) + " case(s) missing from the new run"),
              std::string::npos)
        << md;
  }
  // New cases alone do not fail the gate, and are counted.
  const Comparison grown = compare_results({base[0]}, base, {}, "base", "new");
  EXPECT_FALSE(grown.failed({}));
  EXPECT_EQ(grown.only_in_new(), 1);
  EXPECT_NE(to_markdown(grown, {}).find("1 new case(s)"), std::string::npos);
}

// What merge writes, compare reads: pooled rows go through the file and gate as no change.
RC_GTEST_PROP(MergeRoundTrip, MergedBaselinesReadBackAndGateTheirRuns, ()) {
  const int runs = *rc::gen::inRange(2, 5);
  std::vector<std::vector<ResultRow>> all;
  std::vector<std::string> names;
  for (int i = 0; i < runs; ++i) {
    const double median =
        *rc::gen::inRange(200, 100000) * 0.01;  // row() has kernel_us = median - 1
    ResultRow r = row("mwv", median, median * 0.9, median * 1.1);
    r.repetitions = *rc::gen::inRange<int64_t>(1, std::numeric_limits<int64_t>::max() / 8);
    r.ceiling_gbps = *rc::gen::inRange(1, 5000);
    all.push_back({r});
    names.push_back("run" + std::to_string(i) + ".csv");
  }
  const std::string p = temp_path("merged.csv");
  write_results_file(p, merge_runs(all, names));
  const auto baseline = read_results_file(p);
  RC_ASSERT(baseline.size() == 1u);
  for (const auto& run : all) RC_ASSERT(!compare_results(baseline, run, {}, "m", "r").failed({}));
}

TEST(MergeRuns, RefusesEmptyRunsAndRepetitionsThatOverflow) {
  const std::vector<ResultRow> one = {row("mwv", 14.5, 14.2, 15.0)};
  EXPECT_THROW(merge_runs({one, {}}, {"a.csv", "header-only.csv"}), std::runtime_error);
  try {
    merge_runs({{}, {}}, {"a.csv", "b.csv"});
    FAIL() << "merged runs without rows";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("a.csv: no result rows"), std::string::npos) << e.what();
  }
  std::vector<ResultRow> huge = one;
  huge[0].repetitions = std::numeric_limits<int64_t>::max() - 1;
  try {
    merge_runs({huge, huge}, {"a.csv", "b.csv"});
    FAIL() << "repetitions overflowed silently";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("b.csv: kernel/qwen2.5-7b/gate/mwv/-/18944x3584: "
                                         "the runs' repetitions add up past 2^63"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace qgemv
