#pragma once
// How a verification worker ends when its supervisor asks, or dies. Killing a process while its
// kernel runs, or while the driver recovers from its fault, leaves the driver to tear down a busy
// context beside other workers' contexts on the same GPU; so a stop request (SIGTERM or SIGINT,
// or the supervisor's death, which the kernel turns into SIGTERM) only marks the worker, which
// exits at its next step boundary, after its kernel has returned. An alarm set at the request
// ends it anyway after the grace period, so a worker whose kernel never returns and whose
// supervisor is gone does not spin for ever.
namespace qgemv::worker {

// Set by the supervisor in each worker's environment.
inline constexpr const char* kSupervisorPidEnv = "QGEMV_SUPERVISOR_PID";
inline constexpr const char* kGraceEnv = "QGEMV_WORKER_GRACE_S";
// The exit status of a worker that stopped because it was asked to.
inline constexpr int kStoppedExit = 75;

// Installs the stop handling and the parent-death signal; exits at once (kStoppedExit) when the
// supervisor named in the environment is already gone.
void install_stop_handling();
bool stop_requested();
// Exits with kStoppedExit when a stop was requested: called where no kernel is in flight.
void exit_if_stop_requested();

}  // namespace qgemv::worker
