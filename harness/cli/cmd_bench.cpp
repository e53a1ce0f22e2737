#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>

#include "harness/bench/bench_run.h"
#include "harness/bench/eager_module_loading.h"
#include "harness/cli/args.h"
#include "harness/cli/build_info.h"
#include "harness/cli/commands.h"
#include "harness/cli/external_args.h"
#include "harness/cli/require_gpu.h"
#include "harness/cli/selection.h"
#include "harness/results/results_csv.h"

namespace qgemv::cli {
namespace {

constexpr int64_t kMaxInt = std::numeric_limits<int>::max();
constexpr int64_t kMaxRotateMib = 1 << 20;  // 1 TiB, past any GPU's memory
constexpr double kMaxDelayUs = 1e6;         // one second per launch or token

constexpr const char* kHelp =
    R"(usage: qgemv bench [--suite all|kernel|token] [--preset P[,P..]|all | --gguf FILE]
                   [--path P[,P..]|all] [--mode M[,M..]|all] [--kernel-timing T[,T..]|all]
                   [--repetitions 100]
                   [--warmup 10] [--out FILE.csv]
                   [--seed S] [--rotate-mib MiB] [--inject-delay-us US] [--device N]
                   [--benchmark_filter=REGEX ...]
Measures the read-bandwidth ceiling (a 4 GiB streaming read), then:
  kernel suite: every path on every projection shape of the presets (q, k, v, o, gate, up,
    down), timed with CUDA events behind a gate so that no host latency is inside, each
    launch on the next of a rotation of weight copies spanning --rotate-mib (default 4 x L2)
    so weights come from device memory. --kernel-timing (default all): launch, one launch
    per sample (mode - in the rows: launch latency, ramp and tail included); batch, 16
    launches back to back per sample, the row's time being per launch (mode batch: a GEMV
    among others, as in a decode step). Q8 paths are timed on a pre-quantized input (their
    quantization is a kernel of the token suite). Each shape and timing also gets a row with
    path read: a kernel that only reads the shape's weight bytes, launched and waiting for
    the previous kernel as the mwv paths do; no GEMV of the shape is faster in that timing.
  token suite: one decode step (7 GEMVs per layer, each layer its own weights) per sample
    in each mode: alloc (cudaMalloc/cudaFree per call), pool (cudaMallocAsync), workspace
    (*_into, nothing allocated), graph (recorded once, replayed). Workspace and graph
    launch q/k/v as one GEMV over their stacked weights and gate/up as another (4 launches
    per layer of Q4_K tensors), and on Q8 paths quantize each decoder input once. Host wall time is the
    sample; GPU time, the kernels' time back to back, allocation, launch and
    synchronisation time per token go into the row. Default path: the one with the least
    kernel time per token, measured first (every path is verified by qgemv verify).
Presets: qwen2.5-0.5b, qwen2.5-1.5b, qwen2.5-7b, llama-3-8b (projections whose k is not a
multiple of 256 are skipped, with a note). Default: all presets, both suites, all modes.
--gguf FILE takes a model's shapes and weights from a GGUF file instead of the presets: the
kernel suite times each projection's first Q4_K tensor (blk.N.attn_q, attn_k, attn_v,
attn_output, ffn_gate, ffn_up, ffn_down) on its own bytes; the token suite runs every Q4_K
projection tensor of every layer, read from the file; tensors of other types are listed as
skipped. Rows name the model by its general.name (else the file's name).
Results (results/SCHEMA.md) go to --out; without --out, to qgemv-bench.csv, which must not
exist yet. Rows measured before a failure are still written. Google Benchmark prints its
table to stdout and takes its own --benchmark_* flags; --benchmark_repetitions pools its
repetitions' samples into one row. --inject-delay-us adds a delay kernel before every timed
launch (kernel suite) or token (token suite): a deliberate slowdown for checking that
`qgemv compare` gates.
Ranges: --repetitions 1 to 2^31-1, --warmup 0 to 2^31-1, --rotate-mib 0 (4 x L2) to 1048576,
--inject-delay-us 0 to 1e6, --device 0 to 2^31-1; outside them, a usage error (exit 2).
Exit 0 ok, 1 a case failed, 2 usage, 3 no CUDA device, 4 an unreadable GGUF file.
)";

}  // namespace

int run_bench(int argc, char** argv) {
  SplitArgs split = split_benchmark_flags(argc, argv);
  const Args args(
      int(split.own.size()), split.own.data(), 2,
      {"suite", "preset", "gguf", "path", "mode", "kernel-timing", "repetitions", "warmup", "out",
       "seed", "rotate-mib", "inject-delay-us", "device", kKernelOption, kLaunchOption},
      {"help"});
  if (args.has("help")) {
    std::cout << kHelp << kExternalKernelHelp;
    return kExitOk;
  }
  const std::string suite = args.get("suite").value_or("all");
  if (suite != "all" && suite != "kernel" && suite != "token")
    throw UsageError("--suite must be all, kernel or token");
  if (args.get("gguf") && args.get("preset"))
    throw UsageError("--gguf and --preset exclude each other");
  const auto presets = select_presets(args.get("preset").value_or("all"));
  // Read (and rejected, if broken) before any GPU work.
  std::shared_ptr<const gguf::GgufFile> file;
  std::optional<TokenPlan> gguf_plan;  // the file's weights are read in place, not copied
  if (auto g = args.get("gguf")) {
    file = std::make_shared<const gguf::GgufFile>(gguf::GgufFile::open(*g));
    gguf_plan = gguf_token_plan(file);
  }
  const auto external = external_kernel_arg(args);
  auto paths = external ? std::vector<Path>{} : select_paths(args.get("path").value_or("all"));
  const auto modes = select_modes(args.get("mode").value_or("all"));
  const auto timings = select_kernel_timings(args.get("kernel-timing").value_or("all"));
  BenchOptions opt;
  // Ranges are checked here, before any GPU is needed; the casts below are then exact.
  opt.repetitions = int(args.get_int_in("repetitions", opt.repetitions, 1, kMaxInt));
  opt.warmup = int(args.get_int_in("warmup", opt.warmup, 0, kMaxInt));
  opt.seed = args.get_u64("seed", opt.seed);
  opt.rotate_bytes = args.get_int_in("rotate-mib", 0, 0, kMaxRotateMib) << 20;
  opt.delay_ns = uint64_t(args.get_double_in("inject-delay-us", 0, 0, kMaxDelayUs) * 1e3);
  const int device = int(args.get_int_in("device", 0, 0, kMaxInt));
  const std::string out = args.get("out").value_or("qgemv-bench.csv");
  if (!args.get("out") && std::filesystem::exists(out))
    throw UsageError(out + " exists; name the results file with --out");

  require_eager_module_loading();
  try {
    BenchRun::init_benchmark_flags(split.benchmark);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  const auto gpu = require_gpu("bench", device);
  if (!gpu) return kExitNoDevice;
  const DeviceInfo& d = *gpu;
  if (external) paths = {load_external(*external, device)};
  BenchContext ctx;
  {
    Executor ex(device);
    ctx = make_bench_context(device, ex.stream(), kGitRevision);
  }
  std::cerr << "qgemv bench: " << d.name << ", read ceiling " << ctx.ceiling.gbps
            << " GB/s (median of " << ctx.ceiling.us.count << " reads of "
            << (ctx.ceiling.bytes >> 20) << " MiB, p10-p90 " << ctx.ceiling.us.p10 << "-"
            << ctx.ceiling.us.p90 << " us)\n";
  BenchRun run(device, ctx, opt);
  try {
    const std::vector<Path> token_paths =
        args.get("path") || external ? paths : std::vector<Path>{};
    if (suite != "token" && !file)
      for (const std::string& s : kernel_cases_skipped(presets))
        std::cerr << "qgemv bench: kernel suite: skipped " << s << "\n";
    if (suite != "token")
      run.add_kernel_cases(file ? kernel_cases(file, paths, timings)
                                : kernel_cases(presets, paths, timings));
    if (suite != "kernel" && file)
      run.add_token_cases(
          gguf_plan->model, [plan = *gguf_plan] { return plan; }, token_paths, modes);
    else if (suite != "kernel")
      for (const auto& p : presets)
        run.add_token_cases(
            p, [p, seed = opt.seed] { return preset_token_plan(find_preset(p), seed); },
            token_paths, modes);
    run.run();
  } catch (...) {
    if (!run.rows().empty()) write_results_file(out, run.rows());
    std::cerr << "qgemv bench: stopped; " << run.rows().size() << " rows measured before the "
              << "failure written to " << out << "\n";
    throw;
  }
  write_results_file(out, run.rows());
  std::cerr << "qgemv bench: wrote " << run.rows().size() << " rows to " << out << "\n";
  for (const auto& e : run.errors()) std::cerr << "qgemv bench: FAILED " << e << "\n";
  return run.errors().empty() ? kExitOk : kExitFailed;
}

}  // namespace qgemv::cli
