#include <iostream>
#include <map>
#include <numeric>

#include "harness/bench/explanation.h"
#include "harness/bench/kernel_bench.h"
#include "harness/bench/token_bench.h"
#include "harness/cli/args.h"
#include "harness/cli/build_info.h"
#include "harness/cli/commands.h"
#include "harness/cli/selection.h"

namespace qgemv::cli {
namespace {

constexpr const char* kHelp =
    R"(usage: qgemv explain --preset P [--path P] [--repetitions 50] [--format text|csv|json]
                     [--device N]
Runs one decode step of the preset in every mode (alloc, pool, workspace, graph) and a
per-kernel pass, then prints where one token's time goes: host time in allocation calls,
in launch calls and in the final synchronisation (and the rest), the GPU's span split into
kernel time and gaps, each mode's largest cause with its numbers and what removes it, and
each kernel's time against its bandwidth floor. Default path: the one with the least kernel
time per token. Exit 0 ok, 2 usage, 3 no CUDA device.
)";

// Each projection's (and the quantization's) median time per launch over the token.
std::vector<KernelLine> kernel_lines(const TokenModel& model, Path p, const std::vector<double>& us,
                                     double ceiling_gbps) {
  std::map<std::string, std::vector<double>> times;
  std::map<std::string, KernelLine> lines;
  std::vector<std::string> order;
  size_t i = 0;
  auto add = [&](const std::string& name, int64_t n, int64_t k, int64_t bytes) {
    if (!lines.count(name)) {
      order.push_back(name);
      lines[name] = {name, n, k, 0, 0, double(bytes) / (ceiling_gbps * 1e3)};
    }
    ++lines[name].per_token;
    times[name].push_back(us.at(i++));
  };
  for (const TokenStep& s : model.steps()) {
    if (path_takes_q8(p))
      add("q8_quantize k=" + std::to_string(s.k), 1, s.k,
          s.k * 4 + s.k / kQ8Values * int64_t(sizeof(BlockQ8_1)));
    add(s.projection, s.n, s.k, gemv_bytes(p, s.n, s.k));
  }
  std::vector<KernelLine> out;
  for (const auto& name : order) {
    KernelLine l = lines[name];
    l.median_us = sample_stats(times[name]).median;
    out.push_back(l);
  }
  return out;
}

}  // namespace

int run_explain(int argc, char** argv) {
  const Args args(argc, argv, 2, {"preset", "path", "repetitions", "format", "device", "seed"},
                  {"help"});
  if (args.has("help")) {
    std::cout << kHelp;
    return kExitOk;
  }
  if (!args.positional().empty()) throw UsageError("unexpected argument " + args.positional()[0]);
  const std::string preset = args.require("preset");
  select_presets(preset);  // a usage error listing the presets if unknown
  std::vector<Path> paths;
  if (auto p = args.get("path")) {
    paths = select_paths(*p);
    if (paths.size() != 1) throw UsageError("--path takes one path");
  }
  const std::string format = args.get("format").value_or("text");
  if (format != "text" && format != "csv" && format != "json")
    throw UsageError("--format must be text, csv or json");
  const int repetitions = int(args.get_int("repetitions", 50));
  if (repetitions < 1) throw UsageError("--repetitions must be at least 1");
  const int device = int(args.get_int("device", 0));
  const DeviceInfo d = query_device(device);
  if (!d.available) {
    std::cerr << "qgemv explain: needs a GPU; no CUDA device: " << d.reason << "\n";
    return kExitNoDevice;
  }
  Executor ex(device);
  const BenchContext ctx = make_bench_context(device, ex.stream(), kGitRevision);
  TokenModel model(ex, find_preset(preset), args.get_u64("seed", 1));
  const Path path =
      paths.empty()
          ? fastest_path(model, std::vector<Path>(std::begin(kAllPaths), std::end(kAllPaths)))
          : paths[0];
  model.kernel_times_us(path);  // warm-up
  const std::vector<double> kernel_us = median_kernel_times_us(model, path, 5);
  const double kernel_sum = std::accumulate(kernel_us.begin(), kernel_us.end(), 0.0);

  std::vector<ModeCost> costs;
  for (TokenMode m : kAllTokenModes)
    costs.push_back(median_cost(sample_tokens(model, path, m, 5, repetitions)));
  model.check_outputs();
  Explanation e;
  e.device = d.name;
  e.facts = token_facts(ctx, model, path, kernel_sum);
  for (const ModeCost& c : costs) e.modes.push_back(break_down(c, e.facts, costs));
  e.kernels = kernel_lines(model, path, kernel_us, ctx.ceiling.gbps);
  std::cout << (format == "json"  ? explanation_json(e)
                : format == "csv" ? explanation_csv(e)
                                  : explanation_text(e));
  return kExitOk;
}

}  // namespace qgemv::cli
