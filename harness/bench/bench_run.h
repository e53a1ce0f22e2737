#pragma once
// `qgemv bench` as one Google Benchmark run: every case is a registered benchmark with manual
// time (CUDA events for kernels, host wall time for tokens), one sample per iteration; each
// case's samples become a result row. Google Benchmark's own flags (--benchmark_filter,
// _format, _out, _repetitions, ...) keep working; --benchmark_repetitions pools the samples
// of its repetitions into one row.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "harness/bench/bench_context.h"
#include "harness/bench/kernel_bench.h"
#include "harness/bench/token_bench.h"
#include "harness/executor/executor.h"

namespace qgemv {

struct BenchOptions {
  int repetitions = 100;  // samples per case (Google Benchmark iterations)
  int warmup = 10;        // untimed samples before them
  uint64_t seed = 1;
  uint64_t delay_ns = 0;  // injected into every sample, to check a regression gate
  int64_t rotate_bytes = 0;
};

class BenchRun {
 public:
  // Hands Google Benchmark its flags (`argv`: argv[0] and --benchmark_* only); throws
  // std::invalid_argument naming a flag it does not know. Call before constructing a run.
  static void init_benchmark_flags(std::vector<char*> argv);
  BenchRun(int device, const BenchContext& ctx, const BenchOptions& opt);
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
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  using Clock = std::chrono::steady_clock;
  KernelBench& kernel_bench();
  void case_done();
  TokenModel& token_model(const std::string& model);

  int device_;
  const BenchContext& ctx_;
  BenchOptions opt_;
  std::unique_ptr<Executor> kernel_ex_, token_ex_;
  std::unique_ptr<KernelBench> kernel_bench_;
  std::unique_ptr<TokenModel> token_model_;
  std::map<std::string, std::function<TokenPlan()>> plans_;
  std::map<std::pair<std::string, std::string>, double> back_to_back_us_;  // (model, path)
  std::vector<std::string> order_;
  std::map<std::string, std::vector<double>> kernel_samples_;
  std::map<std::string, TokenSamples> token_samples_;
  std::map<std::string, ResultRow> rows_;
  std::vector<std::string> errors_;
  size_t cases_ = 0, done_ = 0;
  Clock::time_point start_, last_progress_;
};

}  // namespace qgemv
