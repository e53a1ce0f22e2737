// Survivor triage's decisions (sanitizer_triage.h) against a fake compute-sanitizer
// (support/fake-compute-sanitizer): which tool kills, what leaves a tool out of an instance, what
// gives no verdict, and that a missing sanitizer is said, not skipped in silence.
#include "harness/mutate/sanitizer_triage.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "harness/io/read_whole_file.h"

namespace qgemv {
namespace {

namespace fs = std::filesystem;

// The target's command: never run by the fake, only matched by its rules.
std::vector<std::string> target(const std::string& cubin) {
  return {"/bin/true", "verify", "--no-isolate", "--kernel", cubin + ":entry"};
}

class Triaging : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("qgemv-triage-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    setenv("QGEMV_FAKE_SANITIZER_LOG", (dir_ / "calls").c_str(), 1);
    opt_.path = QGEMV_FAKE_SANITIZER;
    opt_.timeout_s = 20;
  }
  void TearDown() override {
    unsetenv("QGEMV_FAKE_SANITIZER");
    unsetenv("QGEMV_FAKE_SANITIZER_LOG");
    fs::remove_all(dir_);
  }
  Triage run(SanitizerTriage& t, const std::string& mutant, const std::string& instance = "i0") {
    return t.triage(instance, target("unmutated.cubin"), target(mutant + ".cubin"), mutant);
  }
  // The tools run on what the fake was asked about, one line per run.
  std::vector<std::string> calls() const {
    std::vector<std::string> out;
    std::istringstream in(read_whole_file((dir_ / "calls").string()));
    for (std::string line; std::getline(in, line);)
      out.push_back(line.substr(0, line.find(' ')) +
                    (line.find("unmutated") != std::string::npos ? " unmutated" : " mutant"));
    return out;
  }

  fs::path dir_;
  SanitizerOptions opt_;
};

TEST_F(Triaging, TheFirstToolThatReportsAnErrorKillsAndIsNamed) {
  setenv("QGEMV_FAKE_SANITIZER", "racecheck:mutant-3:error memcheck:mutant-5:error", 1);
  SanitizerTriage t(opt_, (dir_ / "logs").string());
  EXPECT_EQ(t.off(), "");
  const Triage three = run(t, "mutant-3");
  EXPECT_EQ(three.killed_by, "racecheck");
  EXPECT_EQ(three.detail, "Invalid __shared__ write of size 4 bytes");
  const Triage five = run(t, "mutant-5");
  EXPECT_EQ(five.killed_by, "memcheck");
  // Each tool ran on the unmutated instance once; mutant 3 stopped at racecheck, mutant 5 at
  // memcheck.
  EXPECT_EQ(calls(),
            (std::vector<std::string>{"memcheck unmutated", "racecheck unmutated",
                                      "synccheck unmutated", "initcheck unmutated",
                                      "memcheck mutant", "racecheck mutant", "memcheck mutant"}));
}

TEST_F(Triaging, ACleanMutantSurvivesWithWhatEachToolSaid) {
  SanitizerTriage t(opt_, (dir_ / "logs").string());
  const Triage r = run(t, "mutant-1");
  EXPECT_EQ(r.killed_by, "");
  EXPECT_EQ(r.detail,
            "under compute-sanitizer: memcheck clean, racecheck clean, synccheck clean, "
            "initcheck clean");
}

TEST_F(Triaging, VerifyFailingUnderAToolKillsAsThatTool) {
  setenv("QGEMV_FAKE_SANITIZER", "synccheck:mutant-2:verify_fail", 1);
  SanitizerTriage t(opt_, (dir_ / "logs").string());
  const Triage r = run(t, "mutant-2");
  EXPECT_EQ(r.killed_by, "synccheck");
  EXPECT_EQ(r.detail, "verify failed under synccheck: mutant/into: row 3 of 9 outside its bound");
}

TEST_F(Triaging, AToolNotCleanOnTheUnmutatedKernelIsLeftOutOfThatInstanceOnly) {
  // initcheck objects to the unmutated kernel of instance i0, and to every mutant.
  setenv("QGEMV_FAKE_SANITIZER", "initcheck:i0-unmutated:error initcheck:mutant:error", 1);
  SanitizerTriage t(opt_, (dir_ / "logs").string());
  const Triage r =
      t.triage("i0", target("i0-unmutated.cubin"), target("mutant-4.cubin"), "mutant-4");
  EXPECT_EQ(r.killed_by, "");
  EXPECT_EQ(r.detail.find("initcheck"), std::string::npos) << r.detail;
  ASSERT_EQ(t.notes().size(), 1u);
  EXPECT_EQ(t.notes()[0],
            "initcheck left out of i0: on the unmutated kernel, reported an error (Invalid "
            "__shared__ write of size 4 bytes)");
  // Instance i1's unmutated kernel is clean under initcheck, so there it kills.
  const Triage other =
      t.triage("i1", target("i1-unmutated.cubin"), target("mutant-4.cubin"), "mutant-4-i1");
  EXPECT_EQ(other.killed_by, "initcheck");
}

// The shards of a run share the unmutated instances' verdicts through the cache: the second
// shard runs no tool on the unmutated kernel, and it leaves out what the first left out. A
// different key (another source, seed or qgemv) checks again.
TEST_F(Triaging, TheUnmutatedVerdictsAreKeptForTheOtherShards) {
  setenv("QGEMV_FAKE_SANITIZER", "initcheck:i0-unmutated:error", 1);
  opt_.cache_dir = (dir_ / "cache").string();
  const auto unmutated_runs = [&] {
    const std::vector<std::string> c = calls();
    return std::count_if(c.begin(), c.end(),
                         [](const std::string& l) { return l.ends_with(" unmutated"); });
  };
  const auto shard = [&](const std::string& key, const std::string& mutant) {
    SanitizerTriage t(opt_, (dir_ / ("logs-" + mutant)).string(), key);
    const Triage r =
        t.triage("i0", target("i0-unmutated.cubin"), target(mutant + ".cubin"), mutant);
    EXPECT_EQ(r.killed_by, "") << r.detail;
    return t.notes();
  };
  const std::vector<std::string> first = shard("key", "mutant-1");
  EXPECT_EQ(unmutated_runs(), 4);  // every tool, once
  ASSERT_EQ(first.size(), 1u);
  EXPECT_NE(first[0].find("initcheck left out of i0"), std::string::npos) << first[0];

  const std::vector<std::string> second = shard("key", "mutant-2");
  EXPECT_EQ(unmutated_runs(), 4) << "the second shard ran a tool on the unmutated kernel again";
  EXPECT_EQ(second, first);

  (void)shard("another key", "mutant-3");
  EXPECT_EQ(unmutated_runs(), 8);
}

// Without a cache nothing is kept: each triage checks its instances itself.
TEST_F(Triaging, WithoutACacheEachTriageChecksTheUnmutatedKernel) {
  for (const char* mutant : {"mutant-1", "mutant-2"}) {
    SanitizerTriage t(opt_, (dir_ / "logs").string(), "key");
    (void)run(t, mutant);
  }
  const std::vector<std::string> c = calls();
  EXPECT_EQ(std::count(c.begin(), c.end(), "memcheck unmutated"), 2);
}

TEST_F(Triaging, AHangOrACrashGivesNoVerdictAndNoKill) {
  setenv("QGEMV_FAKE_SANITIZER", "memcheck:mutant-6:hang racecheck:mutant-6:crash", 1);
  opt_.timeout_s = 1;
  SanitizerTriage t(opt_, (dir_ / "logs").string());
  const Triage r = run(t, "mutant-6");
  EXPECT_EQ(r.killed_by, "");
  EXPECT_NE(r.detail.find("memcheck no verdict (ended after 1 s without a verdict)"),
            std::string::npos)
      << r.detail;
  EXPECT_NE(r.detail.find("racecheck no verdict (exit 139: Segmentation fault)"), std::string::npos)
      << r.detail;
  EXPECT_LT(r.seconds, 20);  // the hang was ended at its deadline
}

TEST_F(Triaging, AMissingSanitizerIsReportedAndNothingRuns) {
  opt_.path = (dir_ / "no-such" / "compute-sanitizer").string();
  SanitizerTriage t(opt_, (dir_ / "logs").string());
  EXPECT_NE(t.off().find("compute-sanitizer not found"), std::string::npos) << t.off();
  EXPECT_EQ(t.sanitizer(), "");
  const Triage r = run(t, "mutant-1");
  EXPECT_EQ(r.killed_by, "");
  EXPECT_NE(r.detail.find("not triaged: sanitizer compute-sanitizer not found"), std::string::npos)
      << r.detail;
  EXPECT_FALSE(fs::exists(dir_ / "calls"));
  SanitizerOptions off;
  off.off = true;
  EXPECT_EQ(SanitizerTriage(off, dir_.string()).off(), "off (--sanitizer off)");
}

TEST_F(Triaging, TheSanitizerIsFoundOnThePath) {
  const fs::path bin = dir_ / "bin";
  fs::create_directories(bin);
  fs::copy_file(QGEMV_FAKE_SANITIZER, bin / "compute-sanitizer");
  const std::string old_path = std::getenv("PATH") ? std::getenv("PATH") : "";
  const char* old_home = std::getenv("CUDA_HOME");
  const std::string saved_home = old_home ? old_home : "";
  unsetenv("CUDA_HOME");
  setenv("PATH", (bin.string() + ":" + old_path).c_str(), 1);
  const std::string found = find_sanitizer();
  setenv("PATH", old_path.c_str(), 1);
  if (old_home) setenv("CUDA_HOME", saved_home.c_str(), 1);
  EXPECT_EQ(found, (bin / "compute-sanitizer").string());
}

TEST(SanitizerTools, OnlyComputeSanitizersOwnToolsAreKnown) {
  for (const char* t : {"memcheck", "racecheck", "synccheck", "initcheck"})
    EXPECT_TRUE(known_sanitizer_tool(t)) << t;
  EXPECT_FALSE(known_sanitizer_tool("memchek"));
  EXPECT_FALSE(known_sanitizer_tool(""));
}

}  // namespace
}  // namespace qgemv
