#include "harness/bench/bench_run.h"

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <stdexcept>

#include "harness/bench/token_bench.h"

namespace qgemv {
namespace {

// Runs `body` for a registered case, turning an exception into a skipped benchmark that
// carries the message, and records the error.
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

void BenchRun::init_benchmark_flags(std::vector<char*> argv) {
  int argc = int(argv.size());
  benchmark::Initialize(&argc, argv.data());
  if (argc > 1)
    throw std::invalid_argument(std::string("unrecognized Google Benchmark flag ") + argv[1]);
}

BenchRun::BenchRun(int device, const BenchContext& ctx, const BenchOptions& opt)
    : device_(device), ctx_(ctx), opt_(opt) {}

BenchRun::~BenchRun() = default;

KernelBench& BenchRun::kernel_bench() {
  if (!kernel_bench_) {
    kernel_ex_ = std::make_unique<Executor>(device_);
    KernelBenchOptions ko;
    ko.rotate_bytes = opt_.rotate_bytes;
    ko.seed = opt_.seed;
    ko.delay_ns = opt_.delay_ns;
    kernel_bench_ = std::make_unique<KernelBench>(*kernel_ex_, ko, ctx_.device.l2_bytes);
  }
  return *kernel_bench_;
}

// One model's weights at a time (a 7B-class token holds about 4 GB).
TokenModel& BenchRun::token_model(const std::string& model) {
  if (!token_model_ || token_model_->model() != model) {
    token_model_.reset();
    if (!token_ex_) token_ex_ = std::make_unique<Executor>(device_);
    TokenPlan plan = plans_.at(model)();
    for (const std::string& s : plan.skipped)
      std::cerr << "qgemv bench: token of " << model << ": skipped " << s << "\n";
    token_model_ = std::make_unique<TokenModel>(*token_ex_, std::move(plan), opt_.seed);
  }
  return *token_model_;
}

void BenchRun::add_kernel_cases(const std::vector<KernelCase>& cases) {
  for (const KernelCase& c : cases) {
    const std::string name = c.name();
    order_.push_back(name);
    ++cases_;
    benchmark::RegisterBenchmark(
        name.c_str(),
        [this, c, name](benchmark::State& st) {
          guarded(st, name, errors_, [&] {
            std::vector<double>& us = kernel_samples_[name];  // pooled over repetitions
            KernelBench& kb = kernel_bench();
            kb.prepare(c);
            for (int i = 0; i < opt_.warmup; ++i) kb.sample_us();
            for (auto _ : st) {
              us.push_back(kb.sample_us());
              st.SetIterationTime(us.back() * 1e-6);
            }
            kb.check_output();
            const RowKey key{"kernel",
                             c.preset,
                             c.projection.name,
                             c.path_column(),
                             std::string(timing_mode(c.timing)),
                             c.projection.n,
                             c.projection.k};
            ResultRow r = make_row(ctx_, key, sample_stats(us), c.bytes());
            r.gpu_us = r.kernel_us = r.median_us;
            r.launches = c.timing == KernelTiming::kBatch ? kBatchLaunches : 1;
            rows_[name] = r;
            st.counters["GB/s"] = r.gbps;
            st.counters["pct_ceiling"] = r.pct_ceiling;
            st.counters["copies"] = kb.copies();
          });
          case_done();
        })
        ->UseManualTime()
        ->Iterations(opt_.repetitions)
        ->Unit(benchmark::kMicrosecond);
  }
}

void BenchRun::add_token_cases(const std::string& model, std::function<TokenPlan()> plan,
                               std::vector<Path> paths, const std::vector<TokenMode>& modes) {
  plans_[model] = std::move(plan);
  if (paths.empty()) {
    paths = {fastest_path(token_model(model))};
    std::cerr << "qgemv bench: " << model
              << ": path with the least kernel time per token: " << path_name(paths[0]) << "\n";
  }
  for (Path p : paths)
    for (TokenMode m : modes) {
      const std::string name =
          "token/" + model + "/" + std::string(path_name(p)) + "/" + mode_name(m);
      order_.push_back(name);
      ++cases_;
      benchmark::RegisterBenchmark(name.c_str(),
                                   [this, model, p, m, name](benchmark::State& st) {
                                     guarded(st, name, errors_, [&] {
                                       TokenSamples& t =
                                           token_samples_[name];  // pooled over repetitions
                                       t.mode = m;
                                       TokenModel& tm = token_model(model);
                                       auto [it, fresh] = back_to_back_us_.try_emplace(
                                           {model, std::string(path_name(p))}, 0.0);
                                       if (fresh) it->second = median_back_to_back_us(tm, p, 5);
                                       sample_tokens(tm, p, m, opt_.warmup, 0, opt_.delay_ns);
                                       for (auto _ : st) {
                                         t.samples.push_back(tm.run(p, m, opt_.delay_ns));
                                         st.SetIterationTime(t.samples.back().wall_us * 1e-6);
                                       }
                                       if (m == TokenMode::kWorkspace || m == TokenMode::kGraph)
                                         tm.check_outputs();
                                       token_ex_->synchronize();  // reports a Q8_1 overflow, if any
                                       const ResultRow r = token_row(ctx_, tm, p, t, it->second);
                                       rows_[name] = r;
                                       st.counters["gpu_us"] = r.gpu_us;
                                       st.counters["kernel_us"] = r.kernel_us;
                                       st.counters["allocs"] = double(r.allocations);
                                       st.counters["launches"] = double(r.launches);
                                     });
                                     case_done();
                                   })
          ->UseManualTime()
          ->Iterations(opt_.repetitions)
          ->Unit(benchmark::kMicrosecond);
    }
}

void BenchRun::run() {
  start_ = last_progress_ = Clock::now();
  benchmark::RunSpecifiedBenchmarks();
}

// Google Benchmark's table goes to stdout as cases finish; this line on stderr says how far a
// long run is, every 10 s.
void BenchRun::case_done() {
  ++done_;
  const auto now = Clock::now();
  if (now - last_progress_ < std::chrono::seconds(10) && done_ < cases_) return;
  last_progress_ = now;
  std::fprintf(stderr, "qgemv bench: %zu/%zu cases (%.0f s)\n", done_, cases_,
               std::chrono::duration<double>(now - start_).count());
}

std::vector<ResultRow> BenchRun::rows() const {
  std::vector<ResultRow> out;
  for (const std::string& name : order_)
    if (auto it = rows_.find(name); it != rows_.end()) out.push_back(it->second);
  return out;
}

}  // namespace qgemv
