#include "harness/bench/bench_run.h"

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <numeric>
#include <stdexcept>

#include "harness/bench/token_bench.h"

namespace qgemv {
namespace {

// A line on stderr at most every few seconds (every case on a terminal), so that long runs
// show they are alive without burying Google Benchmark's table.
class Progress {
 public:
  Progress(std::string what, size_t total) : what_(std::move(what)), total_(total) {}
  void done(const std::string& name) {
    ++done_;
    const auto now = std::chrono::steady_clock::now();
    if (!isatty(2) && now - last_ < std::chrono::seconds(5) && done_ != total_) return;
    last_ = now;
    const double s = std::chrono::duration<double>(now - start_).count();
    std::fprintf(stderr, "qgemv bench: %s %zu/%zu (%.0f s) %s\n", what_.c_str(), done_, total_, s,
                 name.c_str());
  }

 private:
  std::string what_;
  size_t total_, done_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_ = start_;
};

// Runs `body` (which fills samples) for a registered case, turning an exception into a
// skipped benchmark with its message, and records it.
template <typename Body>
void guarded(benchmark::State& st, const std::string& name, std::vector<std::string>& errors,
             Body&& body) {
  try {
    body();
  } catch (const std::exception& e) {
    errors.push_back(name + ": " + e.what());
    st.SkipWithError(errors.back().c_str());
  }
}

}  // namespace

BenchRun::BenchRun(Executor& ex, const BenchContext& ctx, const BenchOptions& opt,
                   std::vector<char*> gbench_argv)
    : ex_(ex), ctx_(ctx), opt_(opt), gbench_argv_(std::move(gbench_argv)) {
  int argc = int(gbench_argv_.size());
  benchmark::Initialize(&argc, gbench_argv_.data());
  if (argc > 1)
    throw std::invalid_argument(std::string("unrecognized Google Benchmark flag ") +
                                gbench_argv_[1]);
}

void BenchRun::run_registered() {
  benchmark::RunSpecifiedBenchmarks();
  benchmark::ClearRegisteredBenchmarks();
}

void BenchRun::kernel_suite(const std::vector<std::string>& presets,
                            const std::vector<Path>& paths) {
  KernelBenchOptions ko;
  ko.rotate_bytes = opt_.rotate_bytes;
  ko.seed = opt_.seed;
  ko.delay_ns = opt_.delay_ns;
  KernelBench kb(ex_, ko, ctx_.device.l2_bytes);
  const std::vector<KernelCase> cases = kernel_cases(presets, paths);
  std::map<std::string, std::vector<double>> samples;
  Progress progress("kernel cases", cases.size());
  for (const KernelCase& c : cases) {
    const std::string name = c.name();
    const int64_t bytes = gemv_bytes(c.path, c.projection.n, c.projection.k);
    benchmark::RegisterBenchmark(name.c_str(),
                                 [&, c, name, bytes](benchmark::State& st) {
                                   guarded(st, name, errors_, [&] {
                                     std::vector<double>& us = samples[name];
                                     kb.prepare(c);
                                     for (int i = 0; i < opt_.warmup; ++i) kb.sample_us();
                                     for (auto _ : st) {
                                       us.push_back(kb.sample_us());
                                       st.SetIterationTime(us.back() * 1e-6);
                                     }
                                     kb.check_output();
                                     const double median = sample_stats(us).median;
                                     st.counters["GB/s"] = double(bytes) / (median * 1e3);
                                     st.counters["pct_ceiling"] =
                                         100.0 * double(bytes) / (median * 1e3) / ctx_.ceiling.gbps;
                                     st.counters["copies"] = kb.copies();
                                   });
                                   progress.done(name);
                                 })
        ->UseManualTime()
        ->Iterations(opt_.repetitions)
        ->Unit(benchmark::kMicrosecond);
  }
  run_registered();
  for (const KernelCase& c : cases) {
    const auto it = samples.find(c.name());
    if (it == samples.end() || it->second.empty()) continue;  // filtered out, or failed
    const RowKey key{"kernel", c.preset,       c.projection.name, std::string(path_name(c.path)),
                     "-",      c.projection.n, c.projection.k};
    ResultRow r = make_row(ctx_, key, sample_stats(it->second),
                           gemv_bytes(c.path, c.projection.n, c.projection.k));
    r.gpu_us = r.kernel_us = r.median_us;
    r.launches = 1;
    rows_.push_back(r);
  }
}

void BenchRun::token_suite(const std::string& preset, std::vector<Path> paths,
                           const std::vector<TokenMode>& modes) {
  TokenModel model(ex_, find_preset(preset), opt_.seed);
  for (const Projection& p : layer_projections(model.preset()))
    if (!q4k_representable(p))
      std::cerr << "qgemv bench: " << preset << " " << p.name << " (" << p.n << " x " << p.k
                << ") skipped: k is not a multiple of 256, so Q4_K cannot hold it\n";
  if (paths.empty()) {
    paths = {fastest_path(model, std::vector<Path>(std::begin(kAllPaths), std::end(kAllPaths)))};
    std::cerr << "qgemv bench: " << preset
              << ": fastest path by kernel time per token: " << path_name(paths[0]) << "\n";
  }
  std::map<std::string, TokenSamples> samples;
  std::map<Path, double> kernel_us;
  for (Path p : paths) {
    model.kernel_times_us(p);  // warm-up
    const auto us = median_kernel_times_us(model, p, 5);
    kernel_us[p] = std::accumulate(us.begin(), us.end(), 0.0);
  }
  Progress progress(preset + " token cases", paths.size() * modes.size());
  for (Path p : paths)
    for (TokenMode m : modes) {
      const std::string name =
          std::string("token/") + preset + "/" + std::string(path_name(p)) + "/" + mode_name(m);
      benchmark::RegisterBenchmark(name.c_str(),
                                   [&, p, m, name](benchmark::State& st) {
                                     guarded(st, name, errors_, [&] {
                                       TokenSamples& t = samples[name];
                                       t.mode = m;
                                       sample_tokens(model, p, m, opt_.warmup, 0, opt_.delay_ns);
                                       for (auto _ : st) {
                                         t.samples.push_back(model.run(p, m, opt_.delay_ns));
                                         st.SetIterationTime(t.samples.back().wall_us * 1e-6);
                                       }
                                       if (m == TokenMode::kWorkspace || m == TokenMode::kGraph)
                                         model.check_outputs();
                                       ex_.synchronize();  // reports a Q8_1 overflow, if any
                                       const ModeCost c = median_cost(t);
                                       st.counters["gpu_us"] = c.gpu_us;
                                       st.counters["kernel_us"] = kernel_us[p];
                                       st.counters["allocs"] = double(c.allocations);
                                       st.counters["launches"] = double(c.launches);
                                     });
                                     progress.done(name);
                                   })
          ->UseManualTime()
          ->Iterations(opt_.repetitions)
          ->Unit(benchmark::kMicrosecond);
    }
  run_registered();
  for (Path p : paths)
    for (TokenMode m : modes) {
      const auto it = samples.find(std::string("token/") + preset + "/" +
                                   std::string(path_name(p)) + "/" + mode_name(m));
      if (it == samples.end() || it->second.samples.empty()) continue;
      rows_.push_back(token_row(ctx_, model, p, it->second, kernel_us[p]));
    }
}

}  // namespace qgemv
