#include "harness/bench/bench_run.h"

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <stdexcept>

#include "harness/bench/nvtx_range.h"
#include "harness/bench/token_bench.h"
#include "harness/executor/cuda_check.h"

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

double median_of(std::vector<double> v) {
  return v.empty() ? 0 : sample_stats(std::move(v)).median;
}

double wall_us(const TokenSample& t) { return t.wall_us; }

// --profile: one sample, no warm-up, one placement; the profiler replays the kernels itself.
SamplingOptions profile_sampling() {
  SamplingOptions s;
  s.repetitions = 1;
  s.warmup = 0;
  s.placements = 1;
  return s;
}

}  // namespace

void BenchRun::init_benchmark_flags(std::vector<char*> argv) {
  int argc = int(argv.size());
  benchmark::Initialize(&argc, argv.data());
  if (argc > 1)
    throw std::invalid_argument(std::string("unrecognized Google Benchmark flag ") + argv[1]);
}

BenchRun::BenchRun(int device, const BenchContext& ctx, const BenchOptions& opt,
                   const GpuClocks* clocks)
    : device_(device),
      ctx_(ctx),
      opt_(opt),
      sampling_(opt.profile ? profile_sampling() : opt.sampling),
      clocks_(opt.profile ? nullptr : clocks) {}

BenchRun::~BenchRun() = default;

KernelBench& BenchRun::kernel_bench() {
  if (!kernel_bench_) {
    kernel_ex_ = std::make_unique<Executor>(device_);
    KernelBenchOptions ko;
    ko.rotate_bytes = opt_.rotate_bytes;
    ko.seed = opt_.seed;
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

std::optional<ClockReading> BenchRun::read_clocks() const {
  if (!clocks_) return std::nullopt;
  return clocks_->read();
}

std::optional<uint64_t> BenchRun::warm_up(
    int launches, const std::function<double(std::optional<uint64_t>)>& region_us) const {
  // With an injection the warm-up also calibrates it: at least 10 samples with a zero-length
  // spin (so the same launches as the timed ones), whose median sizes the spin.
  const bool calibrate = opt_.injection.active;
  const std::optional<uint64_t> zero = spin_cycles(0, launches);
  std::vector<double> warm;
  for (int i = 0; i < (calibrate ? std::max(sampling_.warmup, 10) : sampling_.warmup); ++i)
    warm.push_back(region_us(zero));
  return calibrate ? spin_cycles(median_of(warm), launches) : std::nullopt;
}

std::optional<uint64_t> BenchRun::spin_cycles(double region_us, int launches) const {
  if (!opt_.injection.active) return std::nullopt;  // no clock read for a spin that never runs
  return opt_.injection.spin_cycles(region_us, launches, sm_mhz_now(clocks_, device_));
}

void BenchRun::fill_sampling_columns(ResultRow& r, const std::string& name) const {
  const SamplingRecord& rec = sampling_records_.at(name);
  r.clocks_locked = clocks_ && clocks_->locked() ? 1 : 0;
  r.throttle_discards = rec.discarded;
  if (!rec.sm_mhz.empty()) {
    r.sm_mhz = median_of(rec.sm_mhz);
    r.mem_mhz = median_of(rec.mem_mhz);
    r.throttle_reasons = throttle_reason_names(rec.reasons);
  }
}

void BenchRun::run_kernel_case(const KernelCase& c, const std::string& name) {
  const NvtxRange range(name);
  std::vector<double>& us = kernel_samples_[name];  // pooled over repetitions
  KernelBench& kb = kernel_bench();
  kb.prepare(c);
  const int launches = kb.launches();
  // Never more placements than fixed samples: each placement takes at least one.
  const int placements = sampling_.repetitions > 0
                             ? std::clamp(sampling_.placements, 1, sampling_.repetitions)
                             : std::max(1, sampling_.placements);
  for (int placement = 0; placement < placements; ++placement) {
    const SamplingOptions part = share_of(sampling_, placements, placement);
    if (placement > 0) kb.relocate();
    // The spin, sized on the first placement, stays for the others.
    const auto region_us = [&](std::optional<uint64_t> spin) {
      kb.set_spin(spin);
      return kb.sample_us() * launches;
    };
    if (placement == 0)
      kb.set_spin(warm_up(launches, region_us));
    else
      for (int i = 0; i < sampling_.warmup; ++i) kb.sample_us();
    take_samples(
        part, [&] { return read_clocks(); }, [&] { return kb.sample_us(); },
        [](double v) { return v; }, us, sampling_records_[name]);
  }
  kb.check_output();
  const RowKey key = c.row_key();
  ResultRow r = make_row(ctx_, key, sample_stats(us), c.bytes());
  r.gpu_us = r.kernel_us = r.median_us;
  r.launches = launches;
  fill_sampling_columns(r, name);
  rows_[name] = r;
}

void BenchRun::run_token_case(const std::string& model, Path p, TokenMode m,
                              const std::string& name) {
  const NvtxRange range(name);
  TokenSamples& t = token_samples_[name];  // pooled over repetitions
  t.mode = m;
  TokenModel& tm = token_model(model);
  auto [it, fresh] = back_to_back_us_.try_emplace({model, std::string(path_name(p))}, 0.0);
  if (fresh && !opt_.profile) it->second = median_back_to_back_us(tm, p, 5);
  const std::optional<uint64_t> spin =
      warm_up(1, [&](std::optional<uint64_t> s) { return tm.run(p, m, s).wall_us; });
  take_samples(
      sampling_, [&] { return read_clocks(); }, [&] { return tm.run(p, m, spin); }, wall_us,
      t.samples, sampling_records_[name]);
  if (m == TokenMode::kWorkspace || m == TokenMode::kGraph) tm.check_outputs();
  token_ex_->synchronize();  // reports a Q8_1 overflow, if any
  ResultRow r = token_row(ctx_, tm, p, t, it->second);
  fill_sampling_columns(r, name);
  rows_[name] = r;
}

// One Google Benchmark case of one iteration: `run` takes the case's samples and fills its
// row, whose median is the iteration's time; the counters show the row's own numbers.
void BenchRun::register_case(const std::string& name, std::function<void()> run,
                             std::vector<std::pair<const char*, double ResultRow::*>> counters) {
  order_.push_back(name);
  ++cases_;
  benchmark::RegisterBenchmark(name.c_str(),
                               [this, name, run, counters](benchmark::State& st) {
                                 for (auto _ : st)
                                   guarded(st, name, errors_, [&] {
                                     run();
                                     const ResultRow& r = rows_.at(name);
                                     st.SetIterationTime(r.median_us * 1e-6);
                                     for (const auto& [label, field] : counters)
                                       st.counters[label] = r.*field;
                                     st.counters["samples"] = double(r.repetitions);
                                     st.counters["noise_pct"] = r.noise_pct;
                                   });
                                 case_done();
                               })
      ->UseManualTime()
      ->Iterations(1)
      ->Unit(benchmark::kMicrosecond);
}

void BenchRun::add_kernel_cases(const std::vector<KernelCase>& cases) {
  for (const KernelCase& c : cases) {
    const std::string name = c.name();
    register_case(name, [this, c, name] { run_kernel_case(c, name); },
                  {{"GB/s", &ResultRow::gbps}, {"pct_ceiling", &ResultRow::pct_ceiling}});
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
      register_case(name, [this, model, p, m, name] { run_token_case(model, p, m, name); },
                    {{"gpu_us", &ResultRow::gpu_us}, {"kernel_us", &ResultRow::kernel_us}});
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

std::vector<std::pair<std::string, std::vector<double>>> BenchRun::samples() const {
  std::vector<std::pair<std::string, std::vector<double>>> out;
  for (const std::string& name : order_) {
    const auto row = rows_.find(name);
    if (row == rows_.end()) continue;
    std::vector<double> values;
    if (auto k = kernel_samples_.find(name); k != kernel_samples_.end()) values = k->second;
    if (auto t = token_samples_.find(name); t != token_samples_.end())
      for (const TokenSample& s : t->second.samples) values.push_back(s.wall_us);
    out.emplace_back(row->second.key(), std::move(values));
  }
  return out;
}

}  // namespace qgemv
