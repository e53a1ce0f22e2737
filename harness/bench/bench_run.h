#pragma once
// `qgemv bench` as Google Benchmark runs: every case is a registered benchmark with manual
// (CUDA event or host wall) time, one sample per iteration; the samples of each case are kept
// and become result rows. Google Benchmark's own flags (--benchmark_filter, _format, _out,
// _repetitions, ...) keep working; --benchmark_repetitions pools more samples into a row.
#include <string>
#include <vector>

#include "harness/bench/bench_context.h"
#include "harness/bench/kernel_bench.h"
#include "harness/bench/token_mode.h"
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
  // `gbench_argv` holds argv[0] and Google Benchmark's flags only.
  BenchRun(Executor& ex, const BenchContext& ctx, const BenchOptions& opt,
           std::vector<char*> gbench_argv);
  // Each returns false when a case failed (its error is in errors()).
  void kernel_suite(const std::vector<std::string>& presets, const std::vector<Path>& paths);
  // Empty `paths`: the fastest path by kernel time per token, chosen per preset.
  void token_suite(const std::string& preset, std::vector<Path> paths,
                   const std::vector<TokenMode>& modes);
  const std::vector<ResultRow>& rows() const { return rows_; }
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  void run_registered();
  Executor& ex_;
  const BenchContext& ctx_;
  BenchOptions opt_;
  std::vector<char*> gbench_argv_;
  std::vector<ResultRow> rows_;
  std::vector<std::string> errors_;
};

}  // namespace qgemv
