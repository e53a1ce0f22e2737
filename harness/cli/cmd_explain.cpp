#include <iostream>
#include <limits>
#include <memory>
#include <optional>

#include "harness/bench/dependency_floor.h"
#include "harness/bench/eager_module_loading.h"
#include "harness/bench/explanation.h"
#include "harness/bench/kernel_bench.h"
#include "harness/bench/token_bench.h"
#include "harness/cli/args.h"
#include "harness/cli/build_info.h"
#include "harness/cli/commands.h"
#include "harness/cli/external_args.h"
#include "harness/cli/require_gpu.h"
#include "harness/cli/selection.h"

namespace qgemv::cli {
namespace {

constexpr int64_t kMaxInt = std::numeric_limits<int>::max();

constexpr const char* kHelp =
    R"(usage: qgemv explain (--preset P | --gguf FILE) [--path P] [--repetitions 50]
                     [--format text|csv|json] [--device N] [--seed 1]
--seed draws the preset's random weights and the inputs (default 1).
Runs one decode step of the preset (or of the GGUF file's model: every Q4_K projection
tensor of every layer, blk.N.attn_q ... ffn_down, read from the file) in every mode (alloc, pool, workspace, graph) and a
per-kernel pass, then prints where one token's time goes: host time in allocation calls,
in launch calls and in the final synchronisation (and the rest), the GPU's span split into
kernel time and gaps, each mode's largest cause with its numbers and what removes it, and
each kernel's time against its bandwidth floor. Besides the bandwidth floor (the token's
bytes at the read ceiling measured in the same run) it prints the dependency floor: the
token's kernel count times what one dependency between kernels costs, measured on a chain of
as many empty kernels (one CTA per SM, each waiting for the one before as the token's do) in
a graph. Default path: the one with the least kernel time per token. --format csv and json
carry the same numbers for scripts; the JSON's "schema_version" (now 1) changes whenever a
key is renamed, removed or changes meaning. --repetitions takes 1 to 2^31-1, --device 0 to
2^31-1. Exit 0 ok, 2 usage, 3 no CUDA device, 4 an unreadable GGUF file.
Reference: docs/profile.md
)";

std::vector<KernelLine> kernel_lines(const std::vector<KernelGroupTime>& groups,
                                     double ceiling_gbps) {
  std::vector<KernelLine> out;
  for (const KernelGroupTime& g : groups)
    out.push_back({g.kernel, g.n, g.k, g.per_token, g.us_per_launch,
                   double(g.bytes_per_launch) / (ceiling_gbps * 1e3)});
  return out;
}

}  // namespace

int run_explain(int argc, char** argv) {
  const Args args(argc, argv, 2,
                  {"preset", "gguf", "path", "repetitions", "format", "device", "seed",
                   kKernelOption, kLaunchOption},
                  {"help"});
  if (args.has("help")) {
    std::cout << kHelp << kExternalKernelHelp;
    return kExitOk;
  }
  const auto preset = args.get("preset");
  const auto gguf_path = args.get("gguf");
  if (preset.has_value() == gguf_path.has_value())
    throw UsageError("one of --preset and --gguf is required");
  if (preset) select_presets(*preset);  // a usage error listing the presets if unknown
  const uint64_t seed = args.get_u64("seed", 1);
  // A GGUF file is read (and rejected, if broken) before any GPU work.
  std::optional<TokenPlan> gguf_plan;
  if (gguf_path)
    gguf_plan =
        gguf_token_plan(std::make_shared<const gguf::GgufFile>(gguf::GgufFile::open(*gguf_path)));
  std::vector<Path> paths;
  const auto external = external_kernel_arg(args);
  if (auto p = args.get("path")) {
    paths = select_paths(*p);
    if (paths.size() != 1) throw UsageError("--path takes one path");
  }
  const std::string format = args.get("format").value_or("text");
  if (format != "text" && format != "csv" && format != "json")
    throw UsageError("--format must be text, csv or json");
  const int repetitions = int(args.get_int_in("repetitions", 50, 1, kMaxInt));
  const int device = int(args.get_int_in("device", 0, 0, kMaxInt));
  require_eager_module_loading();
  const auto gpu = require_gpu("explain", device);
  if (gpu && external) paths = {load_external(*external, device)};
  if (!gpu) return kExitNoDevice;
  const DeviceInfo& d = *gpu;
  Executor ex(device);
  const BenchContext ctx = make_bench_context(device, ex.stream(), kGitRevision);
  TokenPlan plan =
      gguf_plan ? std::move(*gguf_plan) : preset_token_plan(find_preset(*preset), seed);
  for (const std::string& s : plan.skipped) std::cerr << "qgemv explain: skipped " << s << "\n";
  TokenModel model(ex, std::move(plan), seed);
  const Path path = paths.empty() ? fastest_path(model) : paths[0];
  const double kernel_us = median_back_to_back_us(model, path, 5);
  const auto groups = median_kernel_groups_us(model, path, 5);

  std::vector<ModeCost> costs;
  for (TokenMode m : kAllTokenModes)
    costs.push_back(median_cost(sample_tokens(model, path, m, 5, repetitions)));
  model.check_outputs();
  Explanation e;
  e.device = d.name;
  e.facts = token_facts(ctx, model, path, kernel_us);
  e.facts.dependency_us =
      measure_dependency_floor(ex, unsigned(d.sms), int(e.facts.kernels)).median;
  for (const ModeCost& c : costs) e.modes.push_back(break_down(c, e.facts, costs));
  e.kernels = kernel_lines(groups, ctx.ceiling.gbps);
  std::cout << (format == "json"  ? explanation_json(e)
                : format == "csv" ? explanation_csv(e)
                                  : explanation_text(e));
  return kExitOk;
}

}  // namespace qgemv::cli
