// qgemv profile without a GPU: ncu's raw CSV read in base units, the counters and stall shares
// derived from it, the limiter named by its documented thresholds (checked against the
// hand-made ncu records of kernels/PERF_NOTES.md), the launch list, the renderers, and ncu's
// failures told apart (no counters vs a failed run).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "harness/io/atomic_write.h"
#include "harness/io/read_whole_file.h"
#include "harness/profile/limiter.h"
#include "harness/profile/manifest.h"
#include "harness/profile/ncu_driver.h"
#include "harness/profile/profile_dir.h"
#include "harness/profile/profile_report.h"
#include "harness/profile/target_args.h"

namespace qgemv::profile {
namespace {

// Two launches as ncu prints them: notes first, a units row, a thousands separator, a scaled
// unit (Kbyte), a missing value (n/a) and both a stall counter and its not_issued variant.
constexpr const char* kCsv =
    "==PROF== Connected to process 1234\n"
    "\"ID\",\"Kernel Name\",\"Block Size\",\"dram__bytes_read.sum\","
    "\"dram__throughput.avg.pct_of_peak_sustained_elapsed\",\"gpu__time_duration.sum\","
    "\"smsp__average_warps_issue_stalled_long_scoreboard_per_issue_active.ratio\","
    "\"smsp__average_warps_issue_stalled_long_scoreboard_not_issued_per_issue_active.ratio\","
    "\"smsp__average_warps_issue_stalled_selected_per_issue_active.ratio\","
    "\"smsp__average_warps_issue_stalled_wait_per_issue_active.ratio\"\n"
    "\"\",\"\",\"\",\"Kbyte\",\"%\",\"usecond\",\"\",\"\",\"\",\"\"\n"
    "\"0\",\"gemv(int)\",\"(128, 1, 1)\",\"38,205.44\",\"63.2\",\"19.8\",\"6\",\"5\",\"1\",\"3\"\n"
    "\"1\",\"q8(int)\",\"(256, 1, 1)\",\"n/a\",\"12\",\"2.5\",\"1\",\"0\",\"1\",\"2\"\n";

TEST(NcuCsv, ReadsRowsInBaseUnitsAfterTheNotes) {
  const auto rows = parse_ncu_raw_csv(kCsv);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].kernel, "gemv(int)");
  EXPECT_DOUBLE_EQ(*rows[0].metric("dram__bytes_read.sum"), 38205440);
  EXPECT_DOUBLE_EQ(*rows[0].metric("gpu__time_duration.sum"), 19800);  // ns
  EXPECT_FALSE(rows[1].metric("dram__bytes_read.sum").has_value()) << "n/a is no number";
  EXPECT_EQ(rows[1].id, 1);
  EXPECT_FALSE(rows[0].metric("Block Size")) << "launch columns are not metrics";
}

TEST(NcuCsv, RejectsOutputWithoutATableOrWithARaggedRow) {
  EXPECT_THROW(parse_ncu_raw_csv("==ERROR== ERR_NVGPUCTRPERM\n"), NcuCsvError);
  EXPECT_THROW(parse_ncu_raw_csv("\"ID\",\"Kernel Name\",\"a__b\"\n\"0\",\"k\"\n"), NcuCsvError);
  EXPECT_THROW(parse_ncu_raw_csv("\"ID\",\"Kernel Name\"\n\"x\",\"k\"\n"), NcuCsvError);
}

TEST(NcuCsv, ValuesAndUnits) {
  EXPECT_DOUBLE_EQ(*ncu_value("1,234.5", "Mbyte"), 1234.5e6);
  EXPECT_DOUBLE_EQ(*ncu_value("7", "msecond"), 7e6);
  EXPECT_DOUBLE_EQ(*ncu_value("80", "%"), 80);
  EXPECT_FALSE(ncu_value("", "byte"));
  EXPECT_FALSE(ncu_value("12abc", "byte"));
  EXPECT_FALSE(ncu_value("inf", "byte"));
}

TEST(KernelCounters, StallSharesLeaveOutIssuingAndTheNotIssuedVariants) {
  const auto rows = parse_ncu_raw_csv(kCsv);
  const KernelCounters c = counters_from(rows[0], {"gate", 18944, 3584, 28, 38205440});
  ASSERT_EQ(c.stalls.size(), 2u);
  EXPECT_EQ(c.stalls[0].reason, "long_scoreboard");
  EXPECT_DOUBLE_EQ(c.stalls[0].pct, 60);  // 6 of 6 + 1 + 3
  EXPECT_EQ(c.stalls[1].reason, "wait");
  EXPECT_DOUBLE_EQ(c.stalls[1].pct, 30);
  EXPECT_DOUBLE_EQ(c.read_ratio(), 1.0);
  EXPECT_DOUBLE_EQ(c.duration_us, 19.8);
  EXPECT_EQ(c.registers, -1) << "a counter ncu did not give stays unknown";
  const auto missing = missing_metrics(rows[0]);
  EXPECT_NE(std::find(missing.begin(), missing.end(), "lts__t_sector_hit_rate.pct"), missing.end());
}

KernelCounters counters(double dram, double l1, double issue, double occupancy, double us) {
  KernelCounters c;
  c.launch = {"k", 1, 256, 1, 144};
  c.dram_pct = dram;
  c.l1_pct = l1;
  c.issue_pct = issue;
  c.achieved_occupancy_pct = occupancy;
  c.waves_per_sm = 2;
  c.duration_us = us;
  return c;
}

// The hand-made ncu records of kernels/PERF_NOTES.md, and what the notes concluded.
TEST(Limiter, AgreesWithThePerfNotesRecords) {
  // mwv_q8 v0, 7b gate: "issues an instruction in 75% of scheduler cycles while DRAM runs at 57%".
  EXPECT_EQ(classify(counters(56.9, 60.8, 75, 85, 21.2)).limiter, Limiter::kIssue);
  // f32 mwv v0: "L1-bound (90% of L1/TEX throughput, DRAM 27%)".
  const Verdict f32 = classify(counters(27.1, 90.1, 54, 55, 44.5));
  EXPECT_EQ(f32.limiter, Limiter::kMemoryBandwidth);
  EXPECT_NE(f32.evidence.find("L1/TEX 90%"), std::string::npos) << f32.evidence;
  // mwv_q8 v3: "issue 50%, DRAM 63%, L1 52%, occupancy 55% ... the kernel is latency-bound".
  KernelCounters v3 = counters(63, 52, 50, 55, 19.8);
  v3.stalls = {{"long_scoreboard", 59}, {"wait", 10}};
  const Verdict latency = classify(v3);
  EXPECT_EQ(latency.limiter, Limiter::kLatencyOccupancy);
  EXPECT_NE(latency.evidence.find("long_scoreboard 59%"), std::string::npos) << latency.evidence;
}

TEST(Limiter, ThresholdsAndOrder) {
  EXPECT_EQ(classify(counters(kMemoryBoundPct, 10, 10, 50, 20)).limiter, Limiter::kMemoryBandwidth);
  EXPECT_EQ(classify(counters(kMemoryBoundPct - 0.1, 10, 10, 50, 20)).limiter,
            Limiter::kLatencyOccupancy);
  EXPECT_EQ(classify(counters(10, 10, kIssueBoundPct, 50, 20)).limiter, Limiter::kIssue);
  EXPECT_EQ(classify(counters(10, 10, kIssueBoundPct - 0.1, 50, 20)).limiter,
            Limiter::kLatencyOccupancy);
  // Memory before issue; issue before launch; launch before latency.
  EXPECT_EQ(classify(counters(95, 10, 95, 50, 1)).limiter, Limiter::kMemoryBandwidth);
  EXPECT_EQ(classify(counters(10, 10, 95, 50, 1)).limiter, Limiter::kIssue);
  EXPECT_EQ(classify(counters(10, 10, 10, 50, kLaunchBoundUs - 0.01)).limiter, Limiter::kLaunch);
  EXPECT_EQ(classify(counters(10, 10, 10, 50, kLaunchBoundUs)).limiter, Limiter::kLatencyOccupancy);
  // Without the counters there is no verdict, rather than a wrong one.
  EXPECT_EQ(classify(counters(-1, -1, -1, -1, 20)).limiter, Limiter::kUnknown);
}

TEST(Manifest, RoundTripsAndPairsOneForOne) {
  const std::vector<LaunchLabel> launches = {{"q8_quantize", 1, 1536, 28, 7872},
                                             {"q+k+v, \"stacked\"", 2048, 1536, 28, 1769472}};
  const auto back = parse_manifest(manifest_csv(launches));
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1].label, launches[1].label);
  EXPECT_EQ(back[1].min_bytes, 1769472);
  EXPECT_THROW(parse_manifest("label,n,k,per_token,min_bytes\nx,1,-2,1,1\n"), std::runtime_error);
  EXPECT_THROW(parse_manifest("nope\n"), std::runtime_error);
  const auto rows = parse_ncu_raw_csv(kCsv);
  EXPECT_EQ(pair_rows(rows, back).size(), 2u);
  EXPECT_THROW(pair_rows(rows, {back[0]}), std::runtime_error);
}

TEST(ProfileReport, MissingCountersAreEmptyOrNullNeverZero) {
  ProfileReport r{"qwen2.5-7b", "mwv_q8", "token", "ncu 2025", {}};
  r.kernels.push_back(counters(92, 30, 20, 80, 15));
  r.kernels.push_back(counters(-1, -1, -1, -1, -1));
  const std::string json = profile_json(r);
  EXPECT_NE(json.find("\"schema_version\": 1"), std::string::npos);
  EXPECT_NE(json.find("\"dram_pct\": null"), std::string::npos) << json;
  EXPECT_NE(json.find("\"limiter\": \"memory\""), std::string::npos);
  EXPECT_NE(json.find("\"limiter\": \"unknown\""), std::string::npos);
  const std::string csv = profile_csv(r);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);
  EXPECT_NE(csv.find(",memory,"), std::string::npos) << csv;
  const std::string text = profile_text(r);
  EXPECT_NE(text.find("| memory bandwidth |"), std::string::npos) << text;
  EXPECT_NE(text.find("issue slots 20%"), std::string::npos) << "the other numbers shown";
}

TEST(NcuDriver, ClocksAreNeverTouchedAndTheTargetFollowsTheSeparator) {
  const auto a = ncu_collect_argv("ncu", "/tmp/r", {"/bin/qgemv", "profile"});
  const auto at = std::find(a.begin(), a.end(), "--clock-control");
  ASSERT_NE(at, a.end());
  EXPECT_EQ(*(at + 1), "none");
  const auto sep = std::find(a.begin(), a.end(), "--");
  ASSERT_NE(sep, a.end());
  EXPECT_EQ(*(sep + 1), "/bin/qgemv");
  EXPECT_EQ(a.back(), "profile");
}

// What counters_from reads is what ncu is asked for: a metric read but not requested would be
// left empty by any ncu whose sections happen not to collect it.
TEST(NcuDriver, EveryCollectedMetricIsRequested) {
  const auto a = ncu_collect_argv("ncu", "/tmp/r", {"/bin/qgemv"});
  const auto at = std::find(a.begin(), a.end(), "--metrics");
  ASSERT_NE(at, a.end());
  ASSERT_NE(at + 1, a.end());
  std::vector<std::string> requested;
  for (size_t from = 0; from <= (at + 1)->size();) {
    size_t comma = (at + 1)->find(',', from);
    if (comma == std::string::npos) comma = (at + 1)->size();
    requested.push_back((at + 1)->substr(from, comma - from));
    from = comma + 1;
  }
  for (const std::string& m : collected_metrics())
    EXPECT_EQ(std::count(requested.begin(), requested.end(), m), 1) << m;
  EXPECT_EQ(requested.size(), collected_metrics().size()) << "only what is read";
}

// The suite reaches the target: a kernel-suite profile must not launch the token's kernels.
TEST(TargetArgs, TheSuiteAndTheModelReachTheTarget) {
  const auto has = [](const std::vector<std::string>& a, const std::string& k,
                      const std::string& v) {
    const auto at = std::find(a.begin(), a.end(), k);
    return at != a.end() && at + 1 != a.end() && *(at + 1) == v;
  };
  for (const char* suite : {"token", "kernel"}) {
    const auto a = target_argv({"/q", suite, "/d", 1, "qwen2.5-7b", std::nullopt, "mwv", 7});
    EXPECT_EQ(a.front(), "/q");
    EXPECT_TRUE(has(a, "--target", suite)) << suite;
    EXPECT_TRUE(has(a, "--preset", "qwen2.5-7b"));
    EXPECT_TRUE(has(a, "--path", "mwv"));
    EXPECT_TRUE(has(a, "--seed", "7"));
    EXPECT_TRUE(has(a, "--device", "1"));
    EXPECT_TRUE(has(a, "--manifest", "/d"));
  }
  const auto g = target_argv({"/q", "kernel", "/d", 0, std::nullopt, "m.gguf", "mwv_q8", 1});
  EXPECT_TRUE(has(g, "--gguf", "m.gguf"));
  EXPECT_EQ(std::count(g.begin(), g.end(), "--preset"), 0);
  const auto p = target_argv({"/q", "probes", "/d", 0, "qwen2.5-7b", std::nullopt, "mwv", 1});
  EXPECT_TRUE(has(p, "--target", "probes"));
  EXPECT_EQ(std::count(p.begin(), p.end(), "--preset"), 0) << "the probes need no model";
}

TEST(NcuDriver, NoCountersIsToldApartFromAFailedRun) {
  EXPECT_THROW(throw_ncu_failure("==ERROR== ERR_NVGPUCTRPERM - The user does not have ...", 1),
               CountersUnavailable);
  EXPECT_THROW(throw_ncu_failure("==WARNING== No kernels were profiled.", 0), CountersUnavailable);
  // A target that died before its first kernel is a failure, not missing counters.
  EXPECT_THROW(throw_ncu_failure("==ERROR== The application returned an error code (1)\n"
                                 "==WARNING== No kernels were profiled.",
                                 1),
               NcuFailed);
  EXPECT_THROW(throw_ncu_failure("==ERROR== Failed to find metric foo", 1), NcuFailed);
  EXPECT_THROW(find_ncu("/nonexistent/ncu"), CountersUnavailable);
  std::string out;
  EXPECT_EQ(run_process({"/nonexistent/tool"}, out), -1);
  EXPECT_NE(out.find("/nonexistent/tool"), std::string::npos) << out;  // why it did not start
  EXPECT_EQ(run_process({"sh", "-c", "echo hi; exit 3"}, out), 3);
  EXPECT_EQ(out, "hi\n");
  // In this process's group, so that a terminal's Ctrl-C reaches a long ncu run too.
  // (/proc/PID/stat's fifth field is the process group; neither name holds a space.)
  EXPECT_EQ(run_process({"sh", "-c",
                         "test $(cut -d' ' -f5 /proc/$$/stat) = $(cut -d' ' -f5 /proc/$PPID/stat)"},
                        out),
            0)
      << out;
}

// One `ncu --version` both proves that ncu runs and names the version each profile shows.
TEST(NcuDriver, FindNcuGivesTheVersionFromItsOneRun) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("qgemv-fake-ncu-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string ncu = (dir / "ncu").string();
  write_file_atomically(ncu, std::ios::binary, [&](std::ostream& os) {
    os << "#!/bin/sh\necho run >> \"$0.runs\"\n"
       << "printf 'NVIDIA (R) Nsight Compute Command Line Profiler\\r\\n"
       << "Version 2025.3.1.0 (build 36398880) (public-release)\\r\\n'\n";
  });
  fs::permissions(ncu, fs::perms::owner_all);
  const NcuTool t = find_ncu(ncu);
  EXPECT_EQ(t.path, ncu);
  EXPECT_EQ(t.version, "ncu Version 2025.3.1.0 (build 36398880) (public-release)");
  EXPECT_EQ(read_whole_file(ncu + ".runs"), "run\n");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace qgemv::profile

namespace qgemv::profile {
namespace {

// Real ncu output (2025.3, H100) of the known-character probes: every metric the model reads is
// there, and each probe gets the limiter it was built for.
TEST(NcuFixture, ProbesOnTheH100AreNamedByTheirKnownLimiter) {
  const SavedProfile s =
      read_profile_dir(std::string(QGEMV_SOURCE_DIR) + "/properties/fixtures/ncu-probes");
  // Taken before the write counter was requested; the others are all there (instructions
  // under ncu's own name, inst_executed).
  EXPECT_EQ(s.missing_metrics, std::vector<std::string>{"dram__bytes_write.sum"});
  EXPECT_EQ(s.report.subject, "probes");
  EXPECT_EQ(s.report.ncu_version, "ncu Version 2025.3.1.0 (build 36398880) (public-release)");
  const auto& k = s.report.kernels;
  ASSERT_EQ(k.size(), 3u);
  EXPECT_EQ(classify(k[0]).limiter, Limiter::kMemoryBandwidth) << classify(k[0]).evidence;
  EXPECT_EQ(classify(k[1]).limiter, Limiter::kIssue) << classify(k[1]).evidence;
  EXPECT_EQ(classify(k[2]).limiter, Limiter::kLatencyOccupancy) << classify(k[2]).evidence;
  EXPECT_NEAR(k[0].read_ratio(), 1.0, 0.05) << "1 GiB read once";
  EXPECT_EQ(k[2].grid, 1);
  EXPECT_EQ(k[2].block, 32);
  EXPECT_EQ(k[2].stalls.at(0).reason, "long_scoreboard");
}

// The committed qwen2.5-7b token profile against kernels/PERF_NOTES.md's hand-made ncu finding
// on mwv_q8 (the 7b gate, 38 MB): DRAM 63%, issue 50%, the L1TEX scoreboard the top stall
// (59%), "nothing saturated: latency-bound". The down projection moves the same 38 MB.
TEST(CommittedProfile, Qwen7bAgreesWithThePerfNotes) {
  const auto k =
      read_profile_dir(std::string(QGEMV_SOURCE_DIR) + "/results/h100/profile/qwen2.5-7b")
          .report.kernels;
  const auto down = std::find_if(k.begin(), k.end(),
                                 [](const KernelCounters& c) { return c.launch.label == "down"; });
  ASSERT_NE(down, k.end());
  EXPECT_EQ(classify(*down).limiter, Limiter::kLatencyOccupancy) << classify(*down).evidence;
  EXPECT_NEAR(down->dram_pct, 63, 8);
  EXPECT_LT(down->issue_pct, kIssueBoundPct);
  EXPECT_EQ(down->stalls.at(0).reason, "long_scoreboard");
  // Every GEMV reads its weights from DRAM once (caches flushed), no more.
  for (const KernelCounters& c : k)
    if (c.launch.label != "q8_quantize") {
      EXPECT_NEAR(c.read_ratio(), 1.0, 0.05) << c.launch.label;
    }
}

// And the 1.5b token: "fixed per-kernel cost, not bandwidth, is most of a 1.5B token": its
// quantizations are launch-bound and no kernel reaches the memory bound.
TEST(CommittedProfile, Qwen15bIsFixedCostAndLatency) {
  const auto k =
      read_profile_dir(std::string(QGEMV_SOURCE_DIR) + "/results/h100/profile/qwen2.5-1.5b")
          .report.kernels;
  ASSERT_EQ(k.size(), 8u);
  for (const KernelCounters& c : k) {
    const Limiter l = classify(c).limiter;
    EXPECT_NE(l, Limiter::kMemoryBandwidth) << c.launch.label;
    if (c.launch.label == "q8_quantize") {
      EXPECT_EQ(l, Limiter::kLaunch);
    }
  }
}

}  // namespace
}  // namespace qgemv::profile
