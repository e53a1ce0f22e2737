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
#include "harness/results/samples_csv.h"

namespace qgemv::cli {
namespace {

constexpr int64_t kMaxInt = std::numeric_limits<int>::max();
constexpr int64_t kMaxRotateMib = 1 << 20;  // 1 TiB, past any GPU's memory
constexpr double kMaxDelayUs = 1e6;         // one second per launch or token
constexpr double kMaxSlowdownPct = 1000;

constexpr const char* kHelp =
    R"(usage: qgemv bench [--suite all|kernel|token] [--preset P[,P..]|all | --gguf FILE]
                   [--path P[,P..]|all] [--mode M[,M..]|all] [--kernel-timing T[,T..]|all]
                   [--max-noise 0.5] [--min-samples 40] [--max-time 0.5] | [--repetitions N]
                   [--placements 4]
                   [--warmup 10] [--out FILE.csv] [--samples-out FILE.csv] [--lock-clocks]
                   [--seed S] [--rotate-mib MiB] [--inject-slowdown PCT | --inject-delay-us US]
                   [--profile] [--device N] [--benchmark_filter=REGEX ...]
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
Sampling: after --warmup untimed samples, each case samples until its median is known to
--max-noise percent (the half-width of the median's distribution-free 95% confidence
interval, relative to the median; rows record it as noise_pct) once it has --min-samples,
or until --max-time seconds have passed; --repetitions N takes exactly N samples instead.
Kernel rows spread their samples (and time) over --placements placements of the case's
weights, input and output in device memory, each loaded again behind a spacer allocation of
a random size, each with its own warm-up: where a kernel's bytes lie moved small kernels by
several percent between processes of one build on the H100 (results/h100/GATE.md).
After every sample the GPU's clocks and throttle reasons are read through NVML (the
driver's libnvidia-ml); a sample taken while the GPU was throttled (power cap, thermal or
hardware slowdown) is discarded and taken again. Rows record the median SM and memory
clocks, the discards and the reasons seen. --lock-clocks locks the SM clock to the default
application clock (and the memory clock, where the part allows) for the run and restores
them at exit; it needs root, and fails the run where it is not permitted.
Results (results/SCHEMA.md) go to --out; without --out, to qgemv-bench.csv, which must not
exist yet. Rows measured before a failure are still written. --samples-out FILE keeps every
kept sample of every row (columns key, index, us) for `qgemv compare --base-samples`.
Google Benchmark prints its table to stdout (one iteration per case, whose time is the
median) and takes its own --benchmark_* flags; --benchmark_repetitions pools its
repetitions' samples into one row.
Checking the gate: --inject-slowdown PCT adds a spin kernel at the end of every timed
region (after a kernel sample's launches; after a token's work, before its synchronisation)
lasting PCT percent of the region's own median, calibrated on the warm-up samples with a
zero-length spin; --inject-slowdown 0 keeps the zero-length spin, the baseline to compare a
slowed run with. --inject-delay-us US makes the spin US microseconds per launch (kernel
suite) or per token (token suite) instead.
--profile: one sample per case, no warm-up, no clock reads, no back-to-back token timing,
for running under ncu or nsys. Every case runs inside an NVTX range (domain qgemv) named as
its benchmark (kernel/<preset>/<projection>/<path>/<n>x<k>[/batch], token/<model>/<path>/
<mode>), so profilers can filter on it.
Ranges: --repetitions 1 to 2^31-1, --min-samples 1 to 2^31-1, --placements 1 to 64,
--max-noise 0 to 100, --max-time 0 to 3600, --warmup 0 to 2^31-1, --rotate-mib 0 (4 x L2)
to 1048576, --inject-slowdown 0 to 1000, --inject-delay-us 0 to 1e6, --device 0 to 2^31-1;
outside them, a usage error (exit 2).
Exit 0 ok, 1 a case failed (or --lock-clocks was refused), 2 usage, 3 no CUDA device, 4 an
unreadable GGUF file.
)";

}  // namespace

int run_bench(int argc, char** argv) {
  SplitArgs split = split_benchmark_flags(argc, argv);
  const Args args(int(split.own.size()), split.own.data(), 2, {"suite",
                                                               "preset",
                                                               "gguf",
                                                               "path",
                                                               "mode",
                                                               "kernel-timing",
                                                               "repetitions",
                                                               "warmup",
                                                               "out",
                                                               "seed",
                                                               "rotate-mib",
                                                               "inject-delay-us",
                                                               "inject-slowdown",
                                                               "device",
                                                               "min-samples",
                                                               "max-noise",
                                                               "max-time",
                                                               "samples-out",
                                                               "placements",
                                                               kKernelOption,
                                                               kLaunchOption},
                  {"help", "lock-clocks", "profile"});
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
  SamplingOptions& sampling = opt.sampling;
  if (args.get("repetitions") &&
      (args.get("min-samples") || args.get("max-noise") || args.get("max-time")))
    throw UsageError(
        "--repetitions takes a fixed number of samples; it excludes --min-samples, "
        "--max-noise and --max-time");
  if (args.get("repetitions"))
    sampling.repetitions = int(args.get_int_in("repetitions", 1, 1, kMaxInt));
  sampling.min_samples = int(args.get_int_in("min-samples", sampling.min_samples, 1, kMaxInt));
  sampling.max_noise = args.get_double_in("max-noise", sampling.max_noise * 100, 0, 100) / 100;
  sampling.max_time_s = args.get_double_in("max-time", sampling.max_time_s, 0, 3600);
  sampling.warmup = int(args.get_int_in("warmup", sampling.warmup, 0, kMaxInt));
  sampling.placements = int(args.get_int_in("placements", sampling.placements, 1, 64));
  opt.seed = args.get_u64("seed", opt.seed);
  opt.rotate_bytes = args.get_int_in("rotate-mib", 0, 0, kMaxRotateMib) << 20;
  if (args.get("inject-slowdown") && args.get("inject-delay-us"))
    throw UsageError("--inject-slowdown and --inject-delay-us exclude each other");
  opt.injection.active = args.get("inject-slowdown") || args.get("inject-delay-us");
  opt.injection.slowdown_pct = args.get_double_in("inject-slowdown", 0, 0, kMaxSlowdownPct);
  opt.injection.delay_ns = uint64_t(args.get_double_in("inject-delay-us", 0, 0, kMaxDelayUs) * 1e3);
  opt.profile = args.has("profile");
  if (opt.profile && args.has("lock-clocks"))
    throw UsageError("--profile reads no clocks; leave clock control to the profiler");
  const std::optional<std::string> samples_out = args.get("samples-out");
  const int device = int(args.get_int_in("device", 0, 0, kMaxInt));
  const std::string out = args.get("out").value_or("qgemv-bench.csv");
  if (!args.get("out") && std::filesystem::exists(out))
    throw UsageError(out + " exists; name the results file with --out");
  if (samples_out && (*samples_out == out ||
                      (std::filesystem::exists(*samples_out) && std::filesystem::exists(out) &&
                       std::filesystem::equivalent(*samples_out, out))))
    throw UsageError("--samples-out names the results file " + out +
                     "; the samples would replace it");

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
  // Opened (and locked) before the ceiling is measured, so that it runs at the rows' clocks.
  std::string no_clocks;
  std::unique_ptr<GpuClocks> clocks = opt.profile ? nullptr : GpuClocks::open(device, no_clocks);
  if (!clocks && !opt.profile)
    std::cerr << "qgemv bench: clocks and throttling not read (" << no_clocks
              << "); rows say sm_mhz 0 and throttle_reasons -\n";
  if (args.has("lock-clocks")) {
    if (!clocks) throw std::runtime_error("--lock-clocks needs NVML: " + no_clocks);
    clocks->lock();
    std::cerr << "qgemv bench: SM clock locked at " << clocks->locked_sm_mhz() << " MHz\n";
  }
  BenchContext ctx;
  {
    Executor ex(device);
    ctx = make_bench_context(device, ex.stream(), kGitRevision);
  }
  std::cerr << "qgemv bench: " << d.name << ", read ceiling " << ctx.ceiling.gbps
            << " GB/s (median of " << ctx.ceiling.us.count << " reads of "
            << (ctx.ceiling.bytes >> 20) << " MiB, p10-p90 " << ctx.ceiling.us.p10 << "-"
            << ctx.ceiling.us.p90 << " us)\n";
  BenchRun run(device, ctx, opt, clocks.get());
  const auto write_outputs = [&] {
    write_results_file(out, run.rows());
    if (samples_out) write_samples_file(*samples_out, run.samples());
  };
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
    if (!run.rows().empty()) write_outputs();
    std::cerr << "qgemv bench: stopped; " << run.rows().size() << " rows measured before the "
              << "failure written to " << out << "\n";
    throw;
  }
  write_outputs();
  std::cerr << "qgemv bench: wrote " << run.rows().size() << " rows to " << out << "\n";
  for (const auto& e : run.errors()) std::cerr << "qgemv bench: FAILED " << e << "\n";
  return run.errors().empty() ? kExitOk : kExitFailed;
}

}  // namespace qgemv::cli
