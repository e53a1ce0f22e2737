#pragma once
// Verification in worker processes, so that a kernel that faults or hangs fails its path and
// nothing else. A fault (illegal address, trap, device-side assert) leaves a sticky error that
// ends every later CUDA call in its process, and a kernel that never finishes blocks it for
// good; neither can be recovered inside the process. So the supervisor (this process, which
// never touches the GPU) runs the verification's shards as workers started from the same
// executable (verify_worker.h). Each worker says which GPU step it starts and reports its tally
// after each unit. When a worker dies or its step outlasts the step's timeout (it is killed),
// the step is recorded as a failure of its path with the CUDA error or the timeout, and a new
// worker resumes the shard at that unit without the path. Nothing already verified is lost.
#include <ostream>
#include <string>
#include <vector>

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
  // Ends every worker at the first failure (mutation testing needs only whether a mutant dies):
  // the report then holds that failure and what was verified before it.
  bool stop_at_first_failure = false;
};

// Runs `opt` (its shard fields are ignored: the run is split into iso.jobs shards). Progress
// reports units done of all, failures so far and an estimate of the time left.
VerifyReport run_isolated_verify(const VerifyOptions& opt, const IsolationOptions& iso,
                                 std::ostream& progress);

}  // namespace qgemv
