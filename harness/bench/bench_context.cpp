#include "harness/bench/bench_context.h"

#include <cmath>

namespace qgemv {

BenchContext make_bench_context(int device, cudaStream_t stream, const std::string& git_rev) {
  BenchContext ctx;
  ctx.device = query_device(device);
  ctx.git_rev = git_rev;
  ctx.ceiling = measure_read_ceiling(stream);
  return ctx;
}

std::string row_key_string(const RowKey& key) {
  return key.suite + "/" + key.preset + "/" + key.projection + "/" + key.path + "/" + key.mode +
         "/" + std::to_string(key.n) + "x" + std::to_string(key.k);
}

ResultRow make_row(const BenchContext& ctx, const RowKey& key, const SampleStats& us,
                   int64_t bytes) {
  ResultRow r;
  r.suite = key.suite;
  r.preset = key.preset;
  r.projection = key.projection;
  r.path = key.path;
  r.mode = key.mode;
  r.n = key.n;
  r.k = key.k;
  r.device = ctx.device.name;
  r.driver = ctx.device.driver;
  r.cuda_runtime = ctx.device.runtime;
  r.git_rev = ctx.git_rev;
  r.ceiling_gbps = ctx.ceiling.gbps;
  r.repetitions = int64_t(us.count);
  r.median_us = us.median;
  r.p10_us = us.p10;
  r.p90_us = us.p90;
  r.noise_pct = std::isfinite(us.noise) ? 100.0 * us.noise : -1;  // -1: under 6 samples
  r.bytes = bytes;
  r.gbps = double(bytes) / (us.median * 1e3);
  r.pct_ceiling = 100.0 * r.gbps / ctx.ceiling.gbps;
  return r;
}

}  // namespace qgemv
