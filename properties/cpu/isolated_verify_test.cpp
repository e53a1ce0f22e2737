// The supervisor of isolated verification (isolated_verify.h) against fake workers
// (support/fake_worker_main.cpp): how each way a worker can end is recorded, that no ending
// can hang the run, that workers die with their supervisor, and that an unhealthy GPU (a failed
// health probe, an Xid outside the application classes) stops the run without a verdict.
#include "harness/verify/isolated_verify.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness/mutate/mutation_report.h"
#include "harness/mutate/mutation_run.h"

namespace qgemv::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Sets the fake worker's environment for one test and clears it after.
class FakeEnv {
 public:
  explicit FakeEnv(std::initializer_list<std::pair<const char*, std::string>> vars) {
    for (const auto& [k, v] : vars) {
      setenv(k, v.c_str(), 1);
      names_.push_back(k);
    }
  }
  ~FakeEnv() {
    for (const char* k : names_) unsetenv(k);
  }

 private:
  std::vector<const char*> names_;
};

// Xids the test decides, each seen at the first poll at or after its time.
class ScriptedXids final : public XidSource {
 public:
  explicit ScriptedXids(std::vector<XidEvent> script) : script_(std::move(script)) {}
  std::vector<XidEvent> poll(double at_s) override {
    std::vector<XidEvent> out;
    while (next_ < script_.size() && script_[next_].at_s <= at_s) out.push_back(script_[next_++]);
    return out;
  }
  std::string unavailable() const override { return ""; }
  int recovery_action(int) override { return 0; }

 private:
  std::vector<XidEvent> script_;
  size_t next_ = 0;
};

VerifyOptions fake_run(int64_t cases) {
  VerifyOptions o;
  o.cases = cases;
  o.paths.clear();
  o.structured = false;
  o.accuracy = false;
  return o;
}

IsolationOptions fake_isolation(double timeout_s, double grace_s, int jobs = 1) {
  IsolationOptions iso;
  iso.executable = QGEMV_FAKE_WORKER;
  iso.jobs = jobs;
  iso.timeout_s = timeout_s;
  iso.grace_s = grace_s;
  iso.kill_wait_s = 2;
  iso.xids = std::make_shared<ScriptedXids>(std::vector<XidEvent>{});
  return iso;
}

struct Timed {
  VerifyReport report;
  double seconds;
  std::string progress;
};

Timed run(const VerifyOptions& opt, const IsolationOptions& iso) {
  std::ostringstream progress;
  const auto t0 = Clock::now();
  Timed t{run_isolated_verify(opt, iso, progress), 0, ""};
  t.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  t.progress = progress.str();
  return t;
}

std::string all_failures(const VerifyReport& r) {
  std::string out;
  for (const Failure& f : r.failures) out += f.text + "\n";
  return out;
}

TEST(IsolatedVerifySupervisor, HealthyWorkersPassEveryUnitAfterOneProbe) {
  FakeEnv env({{"QGEMV_FAKE_SCENARIO", "pass"}});
  const Timed t = run(fake_run(6), fake_isolation(5, 5, 2));
  EXPECT_TRUE(t.report.failures.empty()) << all_failures(t.report);
  EXPECT_EQ(t.report.tallies.at("fake/into").cases, 6);
  EXPECT_EQ(t.report.health.probes, 1);  // device 0, before the run
  EXPECT_TRUE(t.report.health.unhealthy.empty());
}

TEST(IsolatedVerifySupervisor, AHungStepIsAskedToStopAndEndsWhenItsKernelReturns) {
  FakeEnv env({{"QGEMV_FAKE_SCENARIO", "hang"}, {"QGEMV_FAKE_KERNEL_S", "2"}});
  const Timed t = run(fake_run(4), fake_isolation(0.5, 20));
  ASSERT_EQ(t.report.failures.size(), 1u) << all_failures(t.report);
  const std::string& f = t.report.failures[0].text;
  EXPECT_NE(f.find("fake case 0: hung: no result within 0.5 s"), std::string::npos) << f;
  EXPECT_NE(f.find("stopped when asked"), std::string::npos) << f;
  // Not killed: it ended with its kernel, long before the 20 s grace period.
  EXPECT_LT(t.seconds, 10);
  // Probed, then resumed without the hung unit: the other three cases pass.
  EXPECT_EQ(t.report.health.probes, 2);
  EXPECT_EQ(t.report.tallies.at("fake/into").cases, 3 + 1);
  EXPECT_TRUE(t.report.health.unhealthy.empty());
}

TEST(IsolatedVerifySupervisor, AWorkerIgnoringSigtermIsKilledAfterTheGracePeriod) {
  FakeEnv env({{"QGEMV_FAKE_SCENARIO", "ignore_term"}});
  const Timed t = run(fake_run(2), fake_isolation(0.5, 1));
  ASSERT_FALSE(t.report.failures.empty());
  const std::string& f = t.report.failures[0].text;
  EXPECT_NE(f.find("hung: no result within 0.5 s"), std::string::npos) << f;
  EXPECT_NE(f.find("killed after a grace period"), std::string::npos) << f;
  EXPECT_LT(t.seconds, 8);
}

TEST(IsolatedVerifySupervisor, AFaultAfterTheDeadlineIsAFaultWithItsTime) {
  FakeEnv env({{"QGEMV_FAKE_SCENARIO", "late_fault"}, {"QGEMV_FAKE_KERNEL_S", "1.5"}});
  const Timed t = run(fake_run(2), fake_isolation(0.5, 20));
  ASSERT_FALSE(t.report.failures.empty());
  const std::string& f = t.report.failures[0].text;
  EXPECT_NE(f.find("fault: an illegal memory access was encountered (after 1."), std::string::npos)
      << f;
  EXPECT_NE(f.find("past its 0.5 s limit"), std::string::npos) << f;
  EXPECT_EQ(f.find("hung:"), std::string::npos) << f;
}

TEST(IsolatedVerifySupervisor, AWorkerThatClosesItsOutputButStaysIsKilledNotWaitedFor) {
  FakeEnv env({{"QGEMV_FAKE_SCENARIO", "close_and_stay"}});
  const Timed t = run(fake_run(2), fake_isolation(30, 1));
  ASSERT_FALSE(t.report.failures.empty());
  EXPECT_NE(t.report.failures[0].text.find("killed by signal 9"), std::string::npos)
      << t.report.failures[0].text;
  EXPECT_LT(t.seconds, 8);
}

TEST(IsolatedVerifySupervisor, AFailedHealthProbeStopsTheRunWithoutAVerdict) {
  const std::string mark = ::testing::TempDir() + "/qgemv-fake-probe-" + std::to_string(getpid());
  std::filesystem::remove(mark);
  FakeEnv env({{"QGEMV_FAKE_SCENARIO", "fault"},
               {"QGEMV_FAKE_PROBE", "fail"},
               {"QGEMV_FAKE_PROBE_MARK", mark}});
  const Timed t = run(fake_run(4), fake_isolation(5, 5));
  std::filesystem::remove(mark);
  const std::string& why = t.report.health.unhealthy;
  EXPECT_NE(why.find("device 0 failed its health probe after fake case 0"), std::string::npos)
      << why;
  EXPECT_NE(why.find("no CUDA-capable device"), std::string::npos) << why;
  EXPECT_EQ(t.report.health.probes, 2);
  // No replacement worker ran: the units after the fault are not verified.
  EXPECT_EQ(t.report.tallies.count("fake/into") ? t.report.tallies.at("fake/into").cases : 0, 1);
}

TEST(IsolatedVerifySupervisor, AnXidOutsideTheApplicationClassesStopsTheRun) {
  FakeEnv env({{"QGEMV_FAKE_SCENARIO", "hang"}, {"QGEMV_FAKE_KERNEL_S", "3"}});
  IsolationOptions iso = fake_isolation(30, 20);
  iso.xids = std::make_shared<ScriptedXids>(std::vector<XidEvent>{{0, 13, 0.2}, {0, 79, 0.4}});
  const Timed t = run(fake_run(4), iso);
  ASSERT_EQ(t.report.health.xids.size(), 2u);
  EXPECT_NE(t.report.health.unhealthy.find("Xid 79 (GPU has fallen off the bus) on device 0"),
            std::string::npos)
      << t.report.health.unhealthy;
  EXPECT_NE(t.report.health.unhealthy.find("while running: fake case 0"), std::string::npos)
      << t.report.health.unhealthy;
  // The stopped worker's step is no failure of the kernel's: the verdict is withheld instead.
  EXPECT_TRUE(t.report.failures.empty()) << all_failures(t.report);
  EXPECT_NE(health_summary(t.report.health).find("[not an application error]"), std::string::npos);
}

TEST(IsolatedVerifySupervisor, AnApplicationXidIsRecordedAndTheRunGoesOn) {
  FakeEnv env({{"QGEMV_FAKE_SCENARIO", "pass"}});
  IsolationOptions iso = fake_isolation(5, 5);
  iso.xids = std::make_shared<ScriptedXids>(std::vector<XidEvent>{{0, 31, 0.0}});
  const Timed t = run(fake_run(3), iso);
  EXPECT_EQ(t.report.health.xids.size(), 1u);
  EXPECT_TRUE(t.report.health.unhealthy.empty()) << t.report.health.unhealthy;
  EXPECT_EQ(t.report.tallies.at("fake/into").cases, 3);
}

bool process_gone(pid_t pid) {
  if (kill(pid, 0) != 0) return true;
  // Reparented and not yet reaped: a zombie is gone for the GPU's purposes.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string s;
  std::getline(stat, s);
  const size_t close = s.rfind(')');
  return close != std::string::npos && close + 2 < s.size() && s[close + 2] == 'Z';
}

TEST(IsolatedVerifySupervisor, WorkersDieWithASupervisorKilledBySignal) {
  const std::string pids = ::testing::TempDir() + "/qgemv-fake-pids-" + std::to_string(getpid());
  std::filesystem::remove(pids);
  FakeEnv env({{"QGEMV_FAKE_SCENARIO", "hang"},
               {"QGEMV_FAKE_KERNEL_S", "60"},
               {"QGEMV_FAKE_PID_FILE", pids}});
  const pid_t supervisor = fork();
  ASSERT_GE(supervisor, 0);
  if (supervisor == 0) {
    std::ostringstream quiet;
    run_isolated_verify(fake_run(2), fake_isolation(300, 1), quiet);
    _exit(0);
  }
  pid_t worker = 0;
  for (int i = 0; i < 100 && worker == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::ifstream(pids) >> worker;
  }
  ASSERT_GT(worker, 0) << "the fake worker never started";
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // inside its 60 s "kernel"
  kill(supervisor, SIGKILL);
  int status = 0;
  waitpid(supervisor, &status, 0);
  // The parent-death signal asks it to stop; its alarm ends it after the grace period (1 s + 1),
  // though its kernel would run for a minute.
  bool gone = false;
  for (int i = 0; i < 80 && !gone; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    gone = process_gone(worker);
  }
  std::filesystem::remove(pids);
  EXPECT_TRUE(gone) << "worker " << worker << " outlived its supervisor";
  if (!gone) kill(worker, SIGKILL);
}

TEST(MutationScoring, StopsAtAnUnhealthyGpuAndListsTheMutantsItCouldNotJudge) {
  std::vector<Mutant> mutants(5);
  for (int i = 0; i < 5; ++i) {
    mutants[size_t(i)].id = i;
    mutants[size_t(i)].op = "arith";
  }
  int judged = 0;
  const auto judge = [&](const Mutant& m, size_t, DeviceHealth& health) {
    ++judged;
    MutantResult r;
    r.mutant = m;
    r.seconds = 1;
    if (m.id == 2) {
      health.unhealthy = "Xid 79 on device 0";
      r.status = MutantStatus::kUnjudged;
      return r;
    }
    r.status = MutantStatus::kKilled;
    r.killed_by = "fault";
    return r;
  };
  MutationReport report;
  std::ostringstream progress;
  judge_in_order(mutants, 1, judge, report, progress);
  EXPECT_EQ(judged, 3);  // nothing is run after the GPU is lost
  ASSERT_EQ(report.results.size(), 5u);
  EXPECT_EQ(report.results[1].status, MutantStatus::kKilled);
  for (size_t i = 2; i < 5; ++i) EXPECT_EQ(report.results[i].status, MutantStatus::kUnjudged) << i;
  MutationOptions opt;
  const std::string md = mutation_report_markdown(opt, report);
  EXPECT_NE(md.find("2 killed by verify, 0 killed by a sanitizer only, 0 equivalent by SASS (not "
                    "run), 0 survived, 0 not compiled, 3 not judged"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("Mutants not judged: 2 3 4"), std::string::npos) << md;
  // The score counts judged mutants only, in the report and in summary.csv.
  EXPECT_NE(md.find("not judged) = 2 / 2 = 100%"), std::string::npos) << md;
  EXPECT_NE(mutation_summary_csv(opt, report).find("\n,,5,0,2,0,0,0,100.0\n"), std::string::npos)
      << mutation_summary_csv(opt, report);
}

TEST(DeviceHealth, OnlyTheApplicationXidsLeaveTheGpuUsable) {
  for (unsigned long long x : {13ull, 31ull, 43ull, 45ull}) EXPECT_TRUE(is_application_xid(x)) << x;
  for (unsigned long long x : {48ull, 63ull, 79ull, 94ull, 95ull, 109ull, 119ull, 120ull, 0ull})
    EXPECT_FALSE(is_application_xid(x)) << x;
  EXPECT_EQ(describe_xid(109), "Xid 109 (context switch timeout)");
  EXPECT_EQ(describe_xid(999), "Xid 999");
}

}  // namespace
}  // namespace qgemv::testing
