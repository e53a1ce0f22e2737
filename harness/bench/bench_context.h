#pragma once
// What every result row of one run shares: the device, the build, and the read ceiling
// measured in the same run; and the one place a row's derived columns are computed.
#include <cuda_runtime_api.h>

#include <string>

#include "harness/bench/read_ceiling.h"
#include "harness/bench/sample_stats.h"
#include "harness/executor/device_info.h"
#include "harness/results/result_row.h"

namespace qgemv {

struct BenchContext {
  DeviceInfo device;
  std::string git_rev;
  ReadCeiling ceiling;
};

BenchContext make_bench_context(int device, cudaStream_t stream, const std::string& git_rev);

struct RowKey {
  std::string suite, preset, projection, path, mode;
  int64_t n = 0, k = 0;
};

// suite/preset/projection/path/mode/<n>x<k>, as ResultRow::key() writes it.
std::string row_key_string(const RowKey& key);

// Fills the identity, device and timing columns; gbps and pct_ceiling from bytes / median.
ResultRow make_row(const BenchContext& ctx, const RowKey& key, const SampleStats& us,
                   int64_t bytes);

}  // namespace qgemv
