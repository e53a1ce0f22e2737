#pragma once
// `qgemv bench --ab-base LIB`: the kernel and token suites measured A/B, the base build's paths
// (from its libqgemv_paths.so) against this build's (from the libqgemv_paths.so beside the
// binary, so that both sides launch the same way) in one process (docs/ab-gate.md).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/bench/ab_measure.h"
#include "harness/bench/kernel_bench.h"
#include "harness/bench/token_mode.h"
#include "harness/bench/token_plan.h"
#include "harness/gguf/gguf_file.h"

namespace qgemv::cli {

struct AbBenchRequest {
  std::string base_library, candidate_library;
  std::string out;  // the A/B CSV (harness/bench/ab_report.h)
  std::vector<std::string> presets;
  std::shared_ptr<const gguf::GgufFile> file;  // instead of the presets
  std::vector<Path> paths;                     // this build's, matched to both libraries by name
  std::vector<KernelTiming> timings;
  bool kernel_suite = true, token_suite = true;
  std::vector<TokenMode> modes;
  // The token rows' paths; empty: per model, the candidate's path with the least kernel time
  // per token.
  std::vector<Path> token_paths;
  std::optional<TokenPlan> gguf_plan;  // the file's token, with `file`
  AbOptions ab;
  int64_t rotate_bytes = 0;
  int device = 0;
  bool lock_clocks = false;
  // One of the A/B gate's processes (harness/cli/ab_gate.h): a slower row is the gate's to
  // judge over all processes, so the exit code says only whether a case failed.
  bool one_of_several = false;
};

// Exit code: 0 when no row is slower (or one_of_several) and none failed, 1 otherwise, 3 without a
// GPU (after saying why). Library errors throw PathsLibraryError (exit 4) before any GPU work.
int run_bench_ab(const AbBenchRequest& r);

}  // namespace qgemv::cli
