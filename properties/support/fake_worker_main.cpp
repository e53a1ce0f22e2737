// A stand-in for qgemv's verification worker and health probe, for CPU tests of the supervisor
// (isolated_verify.h): it speaks the worker protocol, and its "GPU steps" are sleeps that
// behave as QGEMV_FAKE_SCENARIO says. No GPU is touched.
//   pass             every unit passes
//   hang             unit 0's step runs QGEMV_FAKE_KERNEL_S seconds (a kernel that ends late)
//   ignore_term      unit 0's step blocks SIGTERM and never ends
//   close_and_stay   closes its output, then blocks SIGTERM and never exits
//   late_fault       unit 0's step runs QGEMV_FAKE_KERNEL_S seconds, then reports a fault
//   fault            unit 0's step reports a fault at once
// An external kernel or quantizer (mutate's mutants) is named, never loaded; QGEMV_FAKE_KILL
// lists parts of their names (space-separated) whose run behaves as "fault" whatever the
// scenario says.
// QGEMV_FAKE_PROBE=fail makes every health probe after the first fail; QGEMV_FAKE_PID_FILE
// names a file each worker writes its pid to.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness/verify/worker_protocol.h"
#include "harness/verify/worker_signals.h"

namespace {

using qgemv::worker::emit;

using namespace qgemv;

std::string env(const char* name, const char* fallback = "") {
  const char* v = std::getenv(name);
  return v ? v : fallback;
}

void sleep_s(double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); }

void block_term() {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGTERM);
  sigprocmask(SIG_BLOCK, &s, nullptr);
}

int probe() {
  worker::install_stop_handling();
  // The first probe of a run (before any worker) passes, so that later ones can fail.
  const std::string mark = env("QGEMV_FAKE_PROBE_MARK");
  const bool first = !mark.empty() && ::access(mark.c_str(), F_OK) != 0;
  if (!mark.empty()) std::ofstream(mark) << "probed\n";
  if (env("QGEMV_FAKE_PROBE") == "fail" && !first) {
    emit({"X", "cudaErrorNoDevice: no CUDA-capable device is detected"});
    return worker::kProbeUnhealthyExit;
  }
  emit({"OK"});
  return 0;
}

// The scenario of this worker: QGEMV_FAKE_SCENARIO, or "fault" for a kernel QGEMV_FAKE_KILL names.
std::string scenario_for(const std::string& external) {
  std::istringstream parts(env("QGEMV_FAKE_KILL"));
  for (std::string part; parts >> part;)
    if (external.find(part) != std::string::npos) return "fault";
  return env("QGEMV_FAKE_SCENARIO", "pass");
}

int work(const std::vector<std::string>& all_words) {
  worker::install_stop_handling();
  if (const std::string f = env("QGEMV_FAKE_PID_FILE"); !f.empty())
    std::ofstream(f, std::ios::app) << getpid() << "\n";
  // Without a GPU an external kernel or quantizer cannot be loaded: its name is kept, its words
  // and its path's are dropped.
  std::vector<std::string> words;
  std::string external;
  for (const std::string& w : all_words)
    if (w.starts_with("external="))
      external = w.substr(9);
    else if (w.starts_with("quantizer="))
      external = w.substr(10);
    else if (!w.starts_with("external_launch=") && !(w.starts_with("paths=") && !external.empty()))
      words.push_back(w);
  int device = 0;
  const VerifyOptions opt = worker::decode_options(words, &device);
  const std::string scenario = scenario_for(external);
  const double kernel_s = std::atof(env("QGEMV_FAKE_KERNEL_S", "1").c_str());
  VerifyReport rep;
  emit({"B", "-1", "", worker::kStartTally, "60", "starting"});
  emit({"E"});
  for (int64_t u = opt.first_unit; u < opt.cases; ++u) {
    if (u % opt.shards != opt.shard) continue;
    worker::exit_if_stop_requested();
    emit({"B", std::to_string(u), "fake", "fake/into", "0.5", "fake case " + std::to_string(u)});
    if (u == 0 && scenario == "hang") sleep_s(kernel_s);
    if (u == 0 && scenario == "ignore_term") {
      block_term();
      for (;;) sleep_s(1);
    }
    if (u == 0 && scenario == "close_and_stay") {
      block_term();
      std::fclose(stdout);
      for (;;) sleep_s(1);
    }
    if (u == 0 && (scenario == "late_fault" || scenario == "fault")) {
      if (scenario == "late_fault") sleep_s(kernel_s);
      emit({"X", "an illegal memory access was encountered"});
      return 5;
    }
    emit({"E"});
    worker::exit_if_stop_requested();
    ++rep.tallies["fake/into"].cases;
    emit({"S", std::to_string(u), worker::encode_report(rep)});
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], worker::kHealthProbeFlag) == 0) return probe();
  if (argc >= 2 && std::strcmp(argv[1], worker::kWorkerFlag) == 0)
    return work({argv + 2, argv + argc});
  std::fprintf(stderr, "fake worker: expects %s or %s\n", worker::kWorkerFlag,
               worker::kHealthProbeFlag);
  return 2;
}
