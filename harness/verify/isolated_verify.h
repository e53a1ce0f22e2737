#pragma once
// Verification in worker processes, so that a kernel that faults or hangs fails its path and
// nothing else, and a GPU that the fault leaves unhealthy stops the run instead of scoring it. A
// fault (illegal address, trap, device-side assert) leaves a sticky error that ends every later
// CUDA call in its process, and a kernel that never finishes blocks it for good; neither can be
// recovered inside the process. So the supervisor (this process, which never touches the GPU) runs
// the verification's shards as workers started from the same executable (verify_worker.h). Each
// worker says which GPU step it starts and reports its tally after each unit. When a worker dies or
// its step outlasts the step's timeout (it is killed), the step is recorded as a failure of its
// path with the CUDA error or the timeout, and a new worker resumes the shard at that unit without
// the path, once a health probe (device_health.h) has shown that the GPU still works. Nothing
// already verified is lost.
//
// Ending a worker: at a step's deadline the step is recorded as hung and the worker is asked to
// stop (SIGTERM: it exits after its kernel returns, worker_signals.h); it is killed (SIGKILL)
// only after the grace period, and a worker that has not exited kill_wait_s after that is stuck
// in the driver: the GPU counts as unhealthy. A fault reported after the deadline is recorded as
// a fault, with the time it took. The supervisor itself makes no CUDA context: it reads device
// properties and NVML only.
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "harness/verify/device_health.h"
#include "harness/verify/verify_suite.h"
#include "harness/verify/worker_protocol.h"

namespace qgemv {

struct IsolationOptions {
  std::string executable = "/proc/self/exe";  // must call run_verify_worker_if_asked
  int jobs = 1;                               // workers at once, one shard each
  double timeout_s = 0;                       // per GPU step; 0: default_step_timeout_s
  int device = 0;
  // When not empty, the workers are spread over these GPUs (worker j on devices[j % size]) and
  // `device` is ignored; with more than one, each failure names its device.
  std::vector<int> devices;
  // Progress rewrites one line in place at least every second (a terminal), instead of printing
  // one line every five seconds.
  bool terminal = false;
  std::vector<worker::ExternalSpec> externals;  // loaded in every worker before its paths
  std::vector<std::string> paths_libraries;     // --paths-lib files, loaded likewise
  // Ends every worker at the first failure (mutation testing needs only whether a mutant dies):
  // the report then holds that failure and what was verified before it.
  bool stop_at_first_failure = false;
  double grace_s = 10;          // from the stop request (SIGTERM) to SIGKILL
  double kill_wait_s = 10;      // from SIGKILL to the worker counting as stuck in the driver
  double probe_timeout_s = 60;  // one health probe: a context, a trivial kernel, the modules
  // Probes every device before the first worker starts (and loads the external kernels there,
  // so that a module that cannot be used is an ExternalKernelError before any verification).
  bool probe_first = true;
  // Where Xid events come from; nullptr: NVML, for the run's devices.
  std::shared_ptr<XidSource> xids;
};

// Runs `opt` (its shard fields are ignored: the run is split into iso.jobs shards). Progress
// reports units done of all, failures so far and an estimate of the time left. The report's
// health says whether its verdict stands (device_health.h); a first probe that cannot load an
// external kernel (or opt.quantizer) throws ExternalKernelError with the loader's message.
VerifyReport run_isolated_verify(const VerifyOptions& opt, const IsolationOptions& iso,
                                 std::ostream& progress);

}  // namespace qgemv
