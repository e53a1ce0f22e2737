#pragma once
// `qgemv bench` as one Google Benchmark run: every case is a registered benchmark with manual
// time (CUDA events for kernels, host wall time for tokens) of one iteration, inside which the
// case takes its samples (harness/bench/sampling.h) and reports their median; each case's
// samples become a result row. Google Benchmark's own flags (--benchmark_filter, _format,
// _out, _repetitions, ...) keep working; --benchmark_repetitions pools the samples of its
// repetitions into one row.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "harness/bench/bench_context.h"
#include "harness/bench/gpu_clocks.h"
#include "harness/bench/injection.h"
#include "harness/bench/kernel_bench.h"
#include "harness/bench/sampling.h"
#include "harness/bench/token_bench.h"
#include "harness/executor/executor.h"

namespace qgemv {

struct BenchOptions {
  SamplingOptions sampling;
  uint64_t seed = 1;
  Injection injection;
  int64_t rotate_bytes = 0;
  // One sample per case, no warm-up, no clock reads and no back-to-back token timing: a run
  // for external profilers (ncu, nsys), whose replays would make a sampling loop pointless.
  bool profile = false;
};

class BenchRun {
 public:
  // Hands Google Benchmark its flags (`argv`: argv[0] and --benchmark_* only); throws
  // std::invalid_argument naming a flag it does not know. Call before constructing a run.
  static void init_benchmark_flags(std::vector<char*> argv);
  // `clocks` (may be null: not read) is read after every sample.
  BenchRun(int device, const BenchContext& ctx, const BenchOptions& opt, const GpuClocks* clocks);
  ~BenchRun();
  void add_kernel_cases(const std::vector<KernelCase>& cases);
  // The token of `model`, built by `plan` when first needed (one model's weights are on the
  // device at a time). Empty `paths`: the path with the least back-to-back kernel time per
  // token, measured now.
  void add_token_cases(const std::string& model, std::function<TokenPlan()> plan,
                       std::vector<Path> paths, const std::vector<TokenMode>& modes);
  // Runs every registered case once (Google Benchmark may filter or repeat them).
  void run();
  // Rows of the cases that ran, in registration order.
  std::vector<ResultRow> rows() const;
  // Each row's kept samples (its timed quantity), by row key, in registration order.
  std::vector<std::pair<std::string, std::vector<double>>> samples() const;
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  using Clock = std::chrono::steady_clock;
  KernelBench& kernel_bench();
  void case_done();
  TokenModel& token_model(const std::string& model);
  void register_case(const std::string& name, std::function<void()> run,
                     std::vector<std::pair<const char*, double ResultRow::*>> counters);
  void run_kernel_case(const KernelCase& c, const std::string& name);
  void run_token_case(const std::string& model, Path p, TokenMode m, const std::string& name);
  // The warm-up samples of a case, `region_us(spin)` timing one region with `spin` in it;
  // returns the spin the timed samples take (nullopt without an injection).
  std::optional<uint64_t> warm_up(
      int launches, const std::function<double(std::optional<uint64_t>)>& region_us) const;
  // The spin that slows a region calibrated at `region_us` (harness/bench/injection.h).
  std::optional<uint64_t> spin_cycles(double region_us, int launches) const;
  std::optional<ClockReading> read_clocks() const;
  // The sampling columns of a row: clocks, throttle discards, noise.
  void fill_sampling_columns(ResultRow& r, const std::string& name) const;

  int device_;
  const BenchContext& ctx_;
  BenchOptions opt_;
  const SamplingOptions sampling_;  // opt_.sampling, or one sample for --profile
  const GpuClocks* clocks_;
  std::unique_ptr<Executor> kernel_ex_, token_ex_;
  std::unique_ptr<KernelBench> kernel_bench_;
  std::unique_ptr<TokenModel> token_model_;
  std::map<std::string, std::function<TokenPlan()>> plans_;
  std::map<std::pair<std::string, std::string>, double> back_to_back_us_;  // (model, path)
  std::vector<std::string> order_;
  std::map<std::string, std::vector<double>> kernel_samples_;
  std::map<std::string, TokenSamples> token_samples_;
  std::map<std::string, SamplingRecord> sampling_records_;
  std::map<std::string, ResultRow> rows_;
  std::vector<std::string> errors_;
  size_t cases_ = 0, done_ = 0;
  Clock::time_point start_, last_progress_;
};

}  // namespace qgemv
