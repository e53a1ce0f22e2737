#include "harness/bench/token_bench.h"

namespace qgemv {
namespace {

template <typename Field>
SampleStats stats_of(const std::vector<TokenSample>& s, Field field) {
  std::vector<double> v;
  v.reserve(s.size());
  for (const TokenSample& t : s) v.push_back(double(t.*field));
  return sample_stats(std::move(v));
}

}  // namespace

TokenSamples sample_tokens(TokenModel& model, Path p, TokenMode m, int warmup, int repetitions) {
  TokenSamples t{m, {}};
  for (int i = 0; i < warmup; ++i) model.run(p, m);
  for (int i = 0; i < repetitions; ++i) t.samples.push_back(model.run(p, m));
  return t;
}

ModeCost median_cost(const TokenSamples& t) {
  ModeCost c;
  c.mode = mode_name(t.mode);
  c.wall_us = stats_of(t.samples, &TokenSample::wall_us).median;
  c.gpu_us = stats_of(t.samples, &TokenSample::gpu_us).median;
  c.alloc_us = stats_of(t.samples, &TokenSample::alloc_us).median;
  c.launch_us = stats_of(t.samples, &TokenSample::launch_us).median;
  c.sync_us = stats_of(t.samples, &TokenSample::sync_us).median;
  c.allocations = int64_t(stats_of(t.samples, &TokenSample::allocations).median);
  c.launches = int64_t(stats_of(t.samples, &TokenSample::launches).median);
  return c;
}

double median_back_to_back_us(TokenModel& model, Path p, int passes) {
  model.back_to_back_us(p);  // warm-up
  std::vector<double> us;
  for (int i = 0; i < passes; ++i) us.push_back(model.back_to_back_us(p));
  return sample_stats(std::move(us)).median;
}

std::vector<KernelGroupTime> median_kernel_groups_us(TokenModel& model, Path p, int passes) {
  std::vector<KernelGroupTime> groups = model.kernel_groups_us(p);  // warm-up
  std::vector<std::vector<double>> us(groups.size());
  for (int i = 0; i < passes; ++i) {
    const auto pass = model.kernel_groups_us(p);
    for (size_t g = 0; g < pass.size(); ++g) us[g].push_back(pass[g].us_per_launch);
  }
  for (size_t g = 0; g < groups.size(); ++g)
    groups[g].us_per_launch = sample_stats(std::move(us[g])).median;
  return groups;
}

Path fastest_path(TokenModel& model, const std::vector<Path>& paths, int passes) {
  Path best = paths.at(0);
  double best_us = 0;
  for (Path p : paths) {
    const double us = median_back_to_back_us(model, p, passes);
    if (p == paths.front() || us < best_us) {
      best = p;
      best_us = us;
    }
  }
  return best;
}

RowKey token_row_key(const TokenModel& model, Path p, TokenMode m) {
  int64_t n = 0, k = 0;
  for (const TokenStep& s : model.steps())
    if (s.n * s.k > n * k) n = s.n, k = s.k;
  return {"token", model.model(), "all", std::string(path_name(p)), mode_name(m), n, k};
}

ResultRow token_row(const BenchContext& ctx, const TokenModel& model, Path p, const TokenSamples& t,
                    double kernel_us) {
  ResultRow r = make_row(ctx, token_row_key(model, p, t.mode),
                         stats_of(t.samples, &TokenSample::wall_us), model.bytes(p));
  const ModeCost c = median_cost(t);
  r.gpu_us = c.gpu_us;
  r.kernel_us = kernel_us;
  r.alloc_us = c.alloc_us;
  r.launch_us = c.launch_us;
  r.sync_us = c.sync_us;
  r.allocations = c.allocations;
  r.launches = c.launches;
  return r;
}

TokenFacts token_facts(const BenchContext& ctx, const TokenModel& model, Path p, double kernel_us) {
  TokenFacts f;
  f.preset = model.model();
  f.path = std::string(path_name(p));
  f.gemvs = int64_t(model.steps().size());
  f.kernels = model.kernels(p);
  f.kernel_us = kernel_us;
  f.floor_us = double(model.bytes(p)) / (ctx.ceiling.gbps * 1e3);
  f.ceiling_gbps = ctx.ceiling.gbps;
  return f;
}

}  // namespace qgemv
