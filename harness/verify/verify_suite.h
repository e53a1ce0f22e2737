#pragma once
// The GPU verification suites behind `qgemv verify` and properties/gpu: every path and form
// against the reference on generated cases, one-hot sweeps with exactly known answers,
// q8_quantize against the CPU bit for bit, Q8_1 overflow detection, and bad-input rejection.
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "harness/verify/gpu_gemv.h"
#include "harness/verify/random_case.h"
#include "kernels/launch/path_registry.h"

namespace qgemv {

struct VerifyOptions {
  int64_t cases = 200;  // generated cases per path
  uint64_t seed = 1;
  std::optional<Path> only_path;
  int64_t max_n = 4096;
  int64_t max_k = 32768;
  bool structured = true;  // one-hot sweeps, q8_quantize equality, overflow, bad input
  int shard = 0;           // this process runs cases i with i % shards == shard,
  int shards = 1;          // so that several processes share one GPU run; shard 0 runs
                           // the structured suites
};

struct Tally {
  int64_t cases = 0;
  int64_t failures = 0;
};

struct VerifyReport {
  std::map<std::string, Tally> tallies;  // "path/form" or a structured suite's name
  std::vector<std::string> failures;     // what failed, with the seed and the shrunk case
  int64_t total_failures() const;
};

VerifyReport run_verify(Executor& ex, const VerifyOptions& opt, std::ostream& progress);

// One generated case on the given paths, every form; returns failure descriptions (empty if
// every check passed). Counts cases and failures per path and form into `report`.
std::vector<std::string> verify_case(Executor& ex, std::span<const Path> paths,
                                     const testing::GemvCase& c, int outputs_per_block,
                                     VerifyReport* report = nullptr);

// Weights `w`, already in ex.weights() under `weight`, on input x: every path and form against
// the reference (`what` describes the GEMV in failure messages). A failure is re-run on the
// weights' first rows down to its first failing row.
std::vector<std::string> verify_gemv(Executor& ex, std::span<const Path> paths,
                                     const std::string& weight, const Q4KMatrix& w,
                                     const std::vector<float>& x, const std::string& what, int opb,
                                     VerifyReport* report = nullptr);

// One-hot input at every position of k on path p; exact answers are one column of W.
std::vector<std::string> verify_one_hot_sweep(Executor& ex, Path p, uint64_t seed, int64_t n,
                                              int64_t k);

std::vector<std::string> verify_q8_quantize(Executor& ex, uint64_t seed, int64_t values,
                                            testing::Values kind);
std::vector<std::string> verify_q8_overflow_detected(Executor& ex);
std::vector<std::string> verify_bad_input_rejected(Executor& ex);

// Seed of the i-th case of a run (splitmix64), so any case replays with --seed alone.
uint64_t case_seed(uint64_t run_seed, int64_t i);

}  // namespace qgemv
