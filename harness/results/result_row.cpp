#include "harness/results/result_row.h"

namespace qgemv {

std::string ResultRow::key() const {
  return suite + "/" + preset + "/" + projection + "/" + path + "/" + mode + "/" +
         std::to_string(n) + "x" + std::to_string(k);
}

const std::vector<std::string>& result_columns() {
  static const std::vector<std::string> cols = {"schema_version",
                                                "suite",
                                                "preset",
                                                "projection",
                                                "path",
                                                "mode",
                                                "n",
                                                "k",
                                                "device",
                                                "driver",
                                                "cuda_runtime",
                                                "git_rev",
                                                "ceiling_gbps",
                                                "repetitions",
                                                "median_us",
                                                "p10_us",
                                                "p90_us",
                                                "bytes",
                                                "gbps",
                                                "pct_ceiling",
                                                "gpu_us",
                                                "kernel_us",
                                                "alloc_us",
                                                "launch_us",
                                                "sync_us",
                                                "allocations",
                                                "launches"};
  return cols;
}

}  // namespace qgemv
