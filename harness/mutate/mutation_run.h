#pragma once
// Mutation testing of a GEMV kernel: every mutant of its source (mutants.h) compiled with NVRTC
// on the host's cores, then run through the isolated verification (a crashing or hanging mutant
// is only killed) with a fixed seed and case budget, and classified by the check that killed it.
// The score, killed / (mutants that compiled - equivalent ones), says what fraction of real bugs
// that verification catches.
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "harness/mutate/mutants.h"
#include "harness/verify/device_health.h"

namespace qgemv {

struct MutationOptions {
  std::string kernel;   // FILE.cu:ENTRY
  std::string launch;   // a launch spec (harness/external/launch_spec.h)
  int64_t cases = 200;  // verify's default
  uint64_t seed = 1;
  std::string out_dir = "qgemv-mutants";
  int compile_jobs = 0;  // 0: every core
  int verify_jobs = 4;   // worker processes per mutant
  int device = 0;
  int64_t max_mutants = 0;  // 0: all; otherwise that many, evenly spread over the source
  int64_t max_k = 32768;    // verify's generated k (a kernel with a limit of its own needs less)
  // "nvrtc", or "nvcc" for sources that NVRTC cannot compile (qgemv's own kernel files include
  // host code): each mutant then goes through `nvcc -cubin` with `includes` on the include path,
  // and ENTRY may be a part of the mangled name that only one entry has.
  std::string compiler = "nvrtc";
  std::vector<std::string> includes = {"."};
};

// kUnjudged: not run, or run on a GPU that became unhealthy (device_health.h): its verdict
// would say nothing about verify.
enum class MutantStatus { kKilled, kSurvived, kNotCompiled, kUnjudged };

struct MutantResult {
  Mutant mutant;
  MutantStatus status = MutantStatus::kNotCompiled;
  std::string killed_by;  // bound, poison, guard, determinism, fault, hang, overflow
  std::string detail;     // the first failure, or the compiler's first error
  double seconds = 0;     // verification time
};

struct MutationReport {
  std::vector<MutantResult> results;
  int64_t total_mutants = 0;  // before max_mutants sampling
  double compile_seconds = 0;
  DeviceHealth health;  // over every mutant's run; unhealthy: scoring stopped there
};

// Judges `mutants` in order with `judge`, which also says whether the GPU stayed healthy. At the
// first unhealthy judgement scoring stops: that mutant and every later one are kUnjudged, and
// the report's health says why. `after_each` sees the report after every mutant.
void judge_in_order(const std::vector<Mutant>& mutants,
                    const std::function<MutantResult(const Mutant&, DeviceHealth&)>& judge,
                    MutationReport& report, std::ostream& progress,
                    const std::function<void(const MutationReport&)>& after_each = {});

// Throws ExternalKernelError if the unmutated kernel does not compile or does not pass.
// `after_each` sees the report after every mutant (so that a run cut short keeps what it found).
MutationReport run_mutation(const MutationOptions& opt, std::ostream& progress,
                            const std::function<void(const MutationReport&)>& after_each = {});

// Compiles and verifies one mutant of opt.kernel's source (as run_mutation does for each).
MutantResult judge_mutant(const MutationOptions& opt, const Mutant& m);

// The check a failure message names.
std::string killing_check(const std::string& failure);

// report.md: the score, per operator and per check, the time per mutant, and the diff of every
// survivor.
std::string mutation_report_markdown(const MutationOptions& opt, const MutationReport& r);

}  // namespace qgemv
