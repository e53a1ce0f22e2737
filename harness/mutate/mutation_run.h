#pragma once
// Mutation testing of a GEMV kernel: every mutant of its source (mutants.h) compiled with NVRTC
// or nvcc on the host's cores (mutant_compile.h), then judged on each instance of the kernel that
// is measured (one entry, or every used instance of a template: kernel_instances.h). A mutant
// whose code for an instance is the unmutated kernel's (sass_fingerprint.h) is equivalent there
// and not run; on every other instance it runs through the isolated verification (a crashing or
// hanging mutant is only killed) with a fixed seed and case budget, and is classified by the
// check that killed it; one that survives runs under compute-sanitizer's tools
// (sanitizer_triage.h) before it is called a survivor. Per instance, the score killed /
// (mutants - equivalent - not compiled - not judged) says what fraction of real bugs that
// verification catches (mutation_report.h).
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "harness/mutate/kernel_instances.h"
#include "harness/mutate/mutants.h"
#include "harness/mutate/sanitizer_triage.h"
#include "harness/verify/device_health.h"

namespace qgemv {

// The launch of a quantizer's one instance, for the report: no spec, it is launched as
// q8_quantize_kernel is (harness/external/external_quantizer.h).
inline constexpr const char* kQuantizerLaunch =
    "as q8_quantize_kernel: q8_quantize_launch_shape(values), params "
    "x,out,values,status,convention";

struct MutationOptions {
  std::string kernel;  // FILE.cu:ENTRY (with instances: ENTRY may be empty or a filter)
  std::string launch;  // a launch spec (harness/external/launch_spec.h); unused with instances
  // The kernel is a Q8_1 quantizer with q8_quantize_kernel's parameters (mutate --quantizer),
  // not a GEMV: a mutant is judged by verify --quantizer with it, on the paths whose input is
  // Q8_1 and the q8_quantize checks; `launch` is unused.
  bool quantizer = false;
  int64_t cases = 200;  // verify's default
  uint64_t seed = 1;
  std::string out_dir = "qgemv-mutants";
  int compile_jobs = 0;  // 0: every core
  int verify_jobs = 4;   // worker processes per mutant
  int device = 0;
  int arch = 0;             // sm_<arch> for the mutants; 0: the device's
  int64_t max_mutants = 0;  // 0: all; otherwise that many, evenly spread over the source
  int64_t max_k = 32768;    // verify's generated k (a kernel with a limit of its own needs less)
  // "nvrtc", or "nvcc" for sources that NVRTC cannot compile (qgemv's own kernel files include
  // host code): each mutant then goes through `nvcc -cubin` with `includes` on the include path,
  // and ENTRY may be a part of the mangled name that only one entry has.
  std::string compiler = "nvrtc";
  std::vector<std::string> includes = {"."};
  // The instances judged (nvcc only: one cubin holds them all). Empty: ENTRY with `launch`,
  // its k window [256, max_k].
  std::vector<KernelInstance> instances;
  // This process judges the mutants whose place in the run's list is shard modulo shards, and
  // verifies the unmutated kernel on the instances whose place is shard modulo shards (every
  // shard's mutants rely on that): the shards of one run merge into its report
  // (mutation_record.h).
  int shard = 0, shards = 1;
  SanitizerOptions sanitizer;
  // Compile and compare only, no GPU (mutate --plan): a mutant's judgement on an instance where
  // its code differs is kUnjudged, "planned" (mutation_plan.h says what running them costs).
  bool plan = false;
  // The verification workers' executable: this one, or a stand-in in tests.
  std::string worker = "/proc/self/exe";
};

// The parts of a --kernel or --quantizer argument: FILE.cu:ENTRY, or FILE.cu alone (a template's
// instances named otherwise). The file is "" unless it ends in .cu; the entry is "" for FILE.cu.
std::string kernel_source_file(const std::string& kernel);
std::string kernel_entry(const std::string& kernel);

// The instances a run judges: opt.instances, or the one that ENTRY and the launch spec name.
std::vector<KernelInstance> judged_instances(const MutationOptions& opt);

// kUnjudged: not run, or run on a GPU that became unhealthy (device_health.h): its verdict
// would say nothing about verify.
// kEquivalentSass: compiled to the unmutated kernel's code for the instance, so never run.
// kKilledSanitizer: passed verify, but a compute-sanitizer tool reported it (killed_by names it).
enum class MutantStatus {
  kKilled,
  kKilledSanitizer,
  kSurvived,
  kEquivalentSass,
  kNotCompiled,
  kUnjudged
};

// One mutant on one instance.
struct MutantResult {
  Mutant mutant;
  size_t instance = 0;  // its place in the report's instances
  MutantStatus status = MutantStatus::kNotCompiled;
  std::string killed_by;  // bound, poison, guard, determinism, fault, hang, overflow; or a tool
  std::string detail;     // the first failure, the tool's first error, or the compiler's error
  double seconds = 0;     // its verification on this instance, and its sanitizer runs
  // Its own compile and code comparison, on one of the compile threads (they run side by side,
  // so these add up to more than the compile phase's wall time); one compile serves every
  // instance, so every instance's result carries the same.
  double compile_seconds = 0;
};

struct MutationReport {
  std::vector<MutantResult> results;  // by mutant, then instance
  std::vector<KernelInstance> instances;
  std::vector<std::string> symbols;  // each instance's full (mangled) name in the cubin
  int64_t total_mutants = 0;         // before max_mutants sampling
  double compile_seconds = 0;        // wall time of the compile phase (summed over merged shards)
  double wall_seconds = 0;  // the whole run, the unmutated kernel's compile and verify included
  std::vector<double> shard_seconds;  // each merged shard's wall time
  std::string sass_off;       // why no mutant could be compared to the original's code, if so
  std::string sanitizer;      // the compute-sanitizer that triaged survivors
  std::string sanitizer_off;  // why survivors were not triaged, if so
  std::vector<std::string> sanitizer_notes;  // tools left out of an instance, and why
  DeviceHealth health;  // over every mutant's run; unhealthy: scoring stopped there
  // Every judgement of the run is in results: false in what a run writes after each judgement
  // (a run cut short leaves that), which a merge refuses.
  bool complete = false;
};

using JudgeFn = std::function<MutantResult(const Mutant&, size_t instance, DeviceHealth&)>;

// Judges every mutant on each of `instances` in order with `judge`, which also says whether
// the GPU stayed healthy. At the first unhealthy judgement scoring stops: that judgement and
// every later one are kUnjudged, and the report's health says why. `after_each` sees the report
// after every judgement.
void judge_in_order(const std::vector<Mutant>& mutants, size_t instances, const JudgeFn& judge,
                    MutationReport& report, std::ostream& progress,
                    const std::function<void(const MutationReport&)>& after_each = {});

// Throws ExternalKernelError if the unmutated kernel does not compile or does not pass on an
// instance this shard verifies. `after_each` sees the report after every judgement (so that a
// run cut short keeps what it found).
MutationReport run_mutation(const MutationOptions& opt, std::ostream& progress,
                            const std::function<void(const MutationReport&)>& after_each = {});

// Compiles and verifies one mutant of opt.kernel's source on its first instance (as
// run_mutation does, without the comparison with the unmutated kernel's code or the sanitizers:
// it always runs).
MutantResult judge_mutant(const MutationOptions& opt, const Mutant& m);

// The check a failure message names.
std::string killing_check(const std::string& failure);

// The mutants (of `all`, in order) that a run with these options judges: --max-mutants spread
// evenly over the source, then this shard's.
std::vector<Mutant> judged_mutants(const MutationOptions& opt, std::vector<Mutant> all);

}  // namespace qgemv
