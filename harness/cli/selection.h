#pragma once
// Comma-separated selections on the command line ("all" or names), checked against the known
// names; an unknown name is a usage error that lists the known ones.
#include <optional>
#include <string>
#include <vector>

#include "harness/bench/kernel_bench.h"
#include "harness/bench/token_mode.h"
#include "kernels/launch/path_registry.h"

namespace qgemv::cli {

// "a,b,,c" -> {a, b, c}; a usage error when nothing is left.
std::vector<std::string> split_list(const std::string& text);

std::vector<std::string> select_presets(const std::string& text);
std::vector<Path> select_paths(const std::string& text);
// One registered path by name (gemv and verify's --path); unknown: a usage error listing them.
Path select_path(const std::string& name);
// The registered paths' names, comma-separated, for help texts.
std::string path_names();
std::vector<TokenMode> select_modes(const std::string& text);
std::vector<KernelTiming> select_kernel_timings(const std::string& text);

// Splits argv into qgemv's own arguments and Google Benchmark's (--benchmark_*); both keep
// argv[0].
struct SplitArgs {
  std::vector<char*> own, benchmark;
};
SplitArgs split_benchmark_flags(int argc, char** argv);

}  // namespace qgemv::cli
