#pragma once
// The GPU verification suites behind `qgemv verify` and properties/gpu: every path and form
// against the reference on generated cases, one-hot sweeps with exactly known answers,
// q8_quantize against the CPU bit for bit, Q8_1 overflow detection, and bad-input rejection.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "harness/verify/accuracy.h"
#include "harness/verify/device_health.h"
#include "harness/verify/gpu_gemv.h"
#include "harness/verify/quantizer.h"
#include "harness/verify/random_case.h"
#include "kernels/launch/path_registry.h"

namespace qgemv {

struct VerifyOptions {
  int64_t cases = 200;  // generated cases per path
  uint64_t seed = 1;
  std::vector<Path> paths = registered_paths();
  int64_t max_n = 4096;
  int64_t max_k = 32768;
  int64_t min_k = 256;     // generated k from here (mutate runs one template instance's k alone)
  // The first two generated cases take the window's largest and smallest k (a shared array one
  // element short shows only at the largest): for runs of a few cases, such as mutate's
  // sanitizer triage, where a draw might miss them.
  bool edge_k = false;
  bool structured = true;  // one-hot sweeps, q8_quantize equality, overflow, bad input
  int shard = 0;           // this process runs cases i with i % shards == shard,
  int shards = 1;          // so that several processes share one GPU run; shard 0 runs
                           // the structured suites
  int64_t first_unit = 0;  // resume here (a unit: one generated case, or one structured check)
  // The accuracy table (accuracy.h): off for callers that only want pass or fail, as it costs
  // each generated case the exact f32 product beside a Q8 path's own reference, and both Q8_1
  // conventions' products.
  bool accuracy = true;
  // The Q8_1 quantizer before the Q8 paths and in the q8_quantize checks; null: the executor's
  // own (quantizer.h).
  std::shared_ptr<const Quantizer> quantizer;
};

struct Tally {
  int64_t cases = 0;
  int64_t failures = 0;
};

// One failed check, kept with the tally it counts toward: its text may gain a prefix (the
// device of an isolated run), so the text alone cannot tell where it belongs.
struct Failure {
  std::string tally;  // a key of VerifyReport::tallies
  std::string text;   // what failed, with the seed and the shrunk case
  bool operator==(const Failure&) const = default;
};

struct VerifyReport {
  std::map<std::string, Tally> tallies;  // "path/form" or a structured suite's name
  std::vector<Failure> failures;         // in the order they were found
  AccuracyTable accuracy;                // generated cases only (accuracy.h)
  std::map<int, Tally> devices;          // units and failures per GPU of an isolated run
  // Where an isolated run's time went: the workers' lives, summed, and the part of them inside
  // GPU steps (generating a case, uploads, launches, synchronisation, downloads, guard checks);
  // the rest is the CPU reference and the checks against it.
  double worker_s = 0;
  double gpu_step_s = 0;
  DeviceHealth health;  // an isolated run's: Xids seen, probes, and whether the verdict stands
  int64_t total_failures() const;
  // Adds another report's tallies and failures (shards, or a worker's generations).
  void add(const VerifyReport& other);

  // Called before each GPU step (a path's launches for one case and form) with the path's name,
  // what runs and how long it may take, so that a supervising process can name the step that
  // was running when the process died or hung (isolated_verify.h).
  std::function<void(const struct GpuStep&)> on_gpu_step;
  // Called when that step has finished (not when it threw), so that the CPU work after it does
  // not count toward its timeout.
  std::function<void()> on_gpu_step_done;
};

struct GpuStep {
  std::string path;   // the path it runs, or the structured check's name
  std::string tally;  // where a failure of the step counts
  std::string what;   // the case, path and form, for the failure message
  double timeout_s;
};

// How long one GPU step on an n x k weight may take before it counts as hung: 10 s plus 1 s per
// 64 MiB of weights. A healthy step (upload, launch, synchronisation, download) of the largest
// generated case takes well under 100 ms on an H100, so this leaves room for slow or busy GPUs.
double default_step_timeout_s(int64_t n, int64_t k);

// The run in units: generated cases of this shard (unit i is case i's turn in the shard), then
// each structured check. Called after each finished unit with the report so far.
using UnitDone = std::function<void(int64_t unit, const VerifyReport& so_far)>;

// How many units the whole run has (every shard): its generated cases, then, unless
// opt.structured is off, the structured checks on opt.paths.
int64_t total_units(const VerifyOptions& opt);

VerifyReport run_verify(Executor& ex, const VerifyOptions& opt, std::ostream& progress,
                        const UnitDone& unit_done = {}, VerifyReport report = {});

// The functions below quantize a Q8 path's input with `quantizer` (the executor's own by default).

// One generated case on the given paths, every form; returns failure descriptions (empty if
// every check passed). Counts cases and failures per path and form into `report`, and adds each
// failure to its failures under that tally, and with `accuracy` the case to its accuracy table.
std::vector<std::string> verify_case(Executor& ex, std::span<const Path> paths,
                                     const testing::GemvCase& c, int outputs_per_block,
                                     VerifyReport* report = nullptr, bool accuracy = true,
                                     const Quantizer& quantizer = builtin_quantizer());

// Weights `w`, already in ex.weights() under `weight`, on input x: every path and form against
// the reference (`what` describes the GEMV in failure messages). A failure is re-run on the
// weights' first rows down to its first failing row. With a report, each failure is also added
// to its failures under its path and form's tally.
// With a report and the input's distribution named, each path's into-form outputs also count
// toward the report's accuracy table, beside both Q8_1 conventions' exact arithmetic.
std::vector<std::string> verify_gemv(Executor& ex, std::span<const Path> paths,
                                     const std::string& weight, const Q4KMatrix& w,
                                     const std::vector<float>& x, const std::string& what, int opb,
                                     VerifyReport* report = nullptr, const char* input = nullptr,
                                     const Quantizer& quantizer = builtin_quantizer());

// One-hot input at every position of k on path p; exact answers are one column of W.
std::vector<std::string> verify_one_hot_sweep(Executor& ex, Path p, uint64_t seed, int64_t n,
                                              int64_t k,
                                              const Quantizer& quantizer = builtin_quantizer());

// What differs between a quantized block and the reference's, with both values: the first value
// q that differs, d, s (joined by "; "); empty when they are equal. A wrong quantizer's failure
// then says what it gets wrong.
std::string q8_block_difference(const BlockQ8_1& got, const BlockQ8_1& want);

// The quantizer on the GPU against the CPU reference, bit for bit, for one convention of s; a
// failure names the block and what differs in it (a value q, d or s, with both values).
std::vector<std::string> verify_q8_quantize(Executor& ex, uint64_t seed, int64_t values,
                                            testing::Values kind, Q8Sum sum,
                                            const Quantizer& quantizer = builtin_quantizer());
// Each Q8 path of `paths` must report an input that overflows Q8_1.
std::vector<std::string> verify_q8_overflow_detected(
    Executor& ex, std::span<const Path> paths, const Quantizer& quantizer = builtin_quantizer());
std::vector<std::string> verify_bad_input_rejected(Executor& ex);

// Seed of the i-th case of a run (splitmix64), so any case replays with --seed alone.
uint64_t case_seed(uint64_t run_seed, int64_t i);

}  // namespace qgemv
