#pragma once
// Mutation testing of a GEMV kernel: every mutant of its source (mutants.h) compiled with NVRTC
// or nvcc on the host's cores (mutant_compile.h); a mutant whose code for the measured entry is
// the unmutated kernel's (sass_fingerprint.h) is equivalent and not run; every other one runs
// through the isolated verification (a crashing or hanging mutant is only killed) with a fixed
// seed and case budget, and is classified by the check that killed it. The score, killed /
// (mutants - equivalent - not compiled - not judged), says what fraction of real bugs that
// verification catches (mutation_report.h).
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
// kEquivalentSass: compiled to the unmutated kernel's code for the entry, so never run.
enum class MutantStatus { kKilled, kSurvived, kEquivalentSass, kNotCompiled, kUnjudged };

struct MutantResult {
  Mutant mutant;
  MutantStatus status = MutantStatus::kNotCompiled;
  std::string killed_by;  // bound, poison, guard, determinism, fault, hang, overflow
  std::string detail;     // the first failure, or the compiler's first error
  double seconds = 0;     // verification time
  // Its own compile and code comparison, on one of the compile threads (they run side by side,
  // so these add up to more than the compile phase's wall time).
  double compile_seconds = 0;
};

struct MutationReport {
  std::vector<MutantResult> results;
  int64_t total_mutants = 0;   // before max_mutants sampling
  double compile_seconds = 0;  // wall time of the compile phase
  double wall_seconds = 0;     // the whole run, the unmutated kernel's compile and verify included
  std::string instance;        // the measured entry's full name in the cubin
  std::string sass_off;        // why no mutant could be compared to the original's code, if so
  DeviceHealth health;         // over every mutant's run; unhealthy: scoring stopped there
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

// Compiles and verifies one mutant of opt.kernel's source (as run_mutation does for each, without
// the comparison with the unmutated kernel's code: it always runs).
MutantResult judge_mutant(const MutationOptions& opt, const Mutant& m);

// The check a failure message names.
std::string killing_check(const std::string& failure);

}  // namespace qgemv
