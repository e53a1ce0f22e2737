#include "harness/verify/worker_signals.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace qgemv::worker {
namespace {

volatile sig_atomic_t g_stop = 0;
unsigned g_grace_s = 30;

extern "C" void on_stop_request(int) {
  // Only the first request arms the alarm: a second SIGTERM must not postpone the end.
  if (!g_stop) alarm(g_grace_s);
  g_stop = 1;
}

}  // namespace

void install_stop_handling() {
  if (const char* g = std::getenv(kGraceEnv)) {
    const long s = std::strtol(g, nullptr, 10);
    if (s > 0 && s < 86400) g_grace_s = unsigned(s);
  }
  struct sigaction sa {};
  sa.sa_handler = on_stop_request;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  // SIGALRM keeps its default action: it ends the process.
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  // The supervisor may have died before prctl: then no signal will ever come.
  if (const char* p = std::getenv(kSupervisorPidEnv))
    if (getppid() != pid_t(std::strtol(p, nullptr, 10))) std::_Exit(kStoppedExit);
}

bool stop_requested() { return g_stop != 0; }

void exit_if_stop_requested() {
  if (!g_stop) return;
  std::fflush(stdout);
  std::exit(kStoppedExit);  // runs the CUDA runtime's teardown: the context goes in order
}

}  // namespace qgemv::worker
