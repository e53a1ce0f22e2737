#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>

#include "harness/bench/bench_run.h"
#include "harness/bench/eager_module_loading.h"
#include "harness/cli/ab_gate.h"
#include "harness/cli/args.h"
#include "harness/cli/bench_ab.h"
#include "harness/cli/build_info.h"
#include "harness/cli/commands.h"
#include "harness/cli/external_args.h"
#include "harness/cli/paths_lib_args.h"
#include "harness/cli/require_gpu.h"
#include "harness/cli/selection.h"
#include "harness/external/paths_library.h"
#include "harness/io/output_file.h"
#include "harness/results/results_csv.h"
#include "harness/results/samples_csv.h"

namespace qgemv::cli {
namespace {

constexpr int64_t kMaxInt = std::numeric_limits<int>::max();
constexpr int64_t kMaxRotateMib = 1 << 20;  // 1 TiB, past any GPU's memory
constexpr double kMaxDelayUs = 1e6;         // one second per launch or token
constexpr double kMaxSlowdownPct = 1000;

constexpr const char* kHelp =
    R"(usage: qgemv bench [options] [--benchmark_* flags]
Measures the read-bandwidth ceiling (a 4 GiB streaming read), then the kernel suite (every
path on every projection shape, CUDA events behind a gate, weights rotated over more than L2)
and the token suite (one decode step per sample in each mode). docs/bench.md explains each part.
What:
  --suite all|kernel|token        both suites (default all)
  --preset P[,P..]|all            qwen2.5-0.5b, qwen2.5-1.5b, qwen2.5-7b, llama-3-8b (default all;
                                  shapes Q4_K cannot hold are skipped with a note)
  --gguf FILE                     a model's shapes and weights instead of the presets
  --path P[,P..]|all              kernel suite default all; token suite default the path with the
                                  least kernel time per token, measured first
  --mode M[,M..]|all              token modes alloc, pool, workspace, graph (default all)
  --kernel-timing T[,T..]|all     launch (one launch a sample, rows' mode -) or batch (16 back to
                                  back, time per launch) (default all)
  --kernel FILE:ENTRY --launch S  an external kernel instead of --path (below)
Sampling:
  --warmup N                      untimed samples first (default 10; 0 to 2^31-1)
  --max-noise PCT                 sample until the median's 95% interval is within PCT% of it
                                  (default 0.5; 0 to 100); rows record it as noise_pct
  --min-samples N                 before the noise may stop it (default 40; 1 to 2^31-1)
  --max-time S                    seconds a case may sample past --min-samples (default 0.5;
                                  0 to 3600)
  --repetitions N                 exactly N samples instead (1 to 2^31-1; excludes the three above)
  --placements P                  kernel rows: split the samples over P placements of the case's
                                  buffers in device memory (default 4; 1 to 64)
  Throttled samples (NVML: power cap, thermal or hardware slowdown) are discarded and taken
  again; rows record the clocks, the discards and the reasons.
  --lock-clocks                   lock the SM clock (and memory, where the part allows) for the
                                  run and restore it at exit; needs root, a refusal is exit 1
  --profile                       one sample per case, no warm-up or clock reads: for ncu or nsys
                                  (each case is an NVTX range, domain qgemv, named as its case)
Output:
  --out FILE.csv                  results (results/SCHEMA.md), replaced if it exists; default
                                  qgemv-bench.csv, which must not exist yet; rows measured before
                                  a failure are still written (docs/OUTPUT_FILES.md)
  --samples-out FILE.csv          every kept sample (key, index, us), for compare's rank test
Checking a gate:
  --inject-slowdown PCT           a spin kernel at the end of every timed region, PCT% of the
                                  region's warm-up median (0 to 1000; 0 keeps a zero-length spin)
  --inject-delay-us US            a spin of US per launch or token instead (0 to 1e6)
A/B (docs/ab-gate.md):
  --ab-base LIB                   the base build's libqgemv_paths.so: each kernel case and
                                  token mode timed against the same path of LIB in one process,
                                  on the same buffers, in ABBA/BAAB order (graph tokens: two
                                  recorded graphs in turn); rows get the paired ratio, its
                                  interval and a verdict; exit 1 when a row is slower
  --ab-candidate LIB              the candidate's library (default: the one beside qgemv)
  --ab-threshold PCT              the smallest change named slower or faster (default 0.5;
                                  0 to 100)
  --ab-confidence C               of the ratio's interval (default 0.99; 0.5 to 0.9999)
  --ab-blocks N                   blocks of four samples in the first round, doubling in each
                                  of the next four (default 20: 40, 80, .. 640 pairs; 3 to 100000)
  --ab-rounds N                   rounds at most, later ones only for ambiguous rows
                                  (default 8; 1 to 100)
  --ab-max-time S                 no round starts once a row has sampled S seconds (default 10;
                                  0 to 3600)
  --ab-processes N                processes, one after another, each with its own order seed,
                                  sides swapped in odd ones, buffers moved in all but the
                                  first; a row is slower, faster or same only when all agree,
                                  and the gate fails on a slower row only (default 3; 1 to 64)
  --junit FILE                    also JUnit XML: a case per row, failed when slower
  --markdown FILE                 also the rows as a markdown table (printed either way)
  With --ab-base, --out is the combined A/B CSV (default qgemv-ab.csv; each process's rows
  beside it, ab.process-1.csv, ...), --inject-slowdown slows the candidate side only, and
  --warmup counts samples of each side.
Other: --seed S (default 1), --rotate-mib MiB (0: 4 x L2; up to 1048576), --device N.
Google Benchmark's flags pass through (--benchmark_filter=REGEX, ...); its table shows one
iteration per case, the case's median; --benchmark_repetitions pools its repetitions' samples.
A value outside its range is a usage error (exit 2).
Exit 0 ok, 1 a case failed (or --lock-clocks was refused), 2 usage, 3 no CUDA device, 4 an
unreadable GGUF file.
)";

}  // namespace

int run_bench(int argc, char** argv) {
  SplitArgs split = split_benchmark_flags(argc, argv);
  const Args args(int(split.own.size()), split.own.data(), 2,
                  {"suite",
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
                   "ab-base",
                   "ab-candidate",
                   "ab-threshold",
                   "ab-confidence",
                   "ab-blocks",
                   "ab-rounds",
                   "ab-max-time",
                   "ab-processes",
                   "junit",
                   "markdown",
                   kKernelOption,
                   kLaunchOption,
                   kPathsLibOption},
                  {"help", "lock-clocks", "profile"});
  if (args.has("help")) {
    std::cout << kHelp << kExternalKernelHelp << kPathsLibHelp;
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
  // Before --path is read: its rows are paths like the built-in ones, in --path all too.
  const PathsLibrary* paths_lib = args.get("ab-base") ? nullptr : paths_library_arg(args);
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
  // A/B mode writes the A/B CSV: its default name is the one checked here.
  const std::string out =
      args.get("out").value_or(args.get("ab-base") ? "qgemv-ab.csv" : "qgemv-bench.csv");
  if (!args.get("out") && std::filesystem::exists(out))
    throw UsageError(out + " exists; name the output file with --out");
  std::vector<std::pair<std::string, std::string>> outputs = {{"--out", out}};
  if (samples_out) outputs.emplace_back("--samples-out", *samples_out);
  for (const char* o : {"junit", "markdown"})
    if (auto f = args.get(o)) outputs.emplace_back(std::string("--") + o, *f);
  std::vector<std::string> inputs;
  if (auto g = args.get("gguf")) inputs.push_back(*g);
  check_output_files(outputs, inputs);

  require_eager_module_loading();
  if (const auto base = args.get("ab-base")) {
    for (const char* o :
         {"samples-out", "repetitions", "min-samples", "max-noise", "max-time", "placements"})
      if (args.get(o)) throw UsageError(std::string("--") + o + " does not apply with --ab-base");
    if (external || args.get(kPathsLibOption) || opt.profile ||
        split.benchmark.size() > 1)  // [0] is argv[0]
      throw UsageError(
          "--ab-base takes neither --kernel, --paths-lib, --profile nor --benchmark_* flags");
    AbBenchRequest r;
    r.base_library = *base;
    r.candidate_library = args.get("ab-candidate").value_or(paths_library_beside_executable());
    r.out = out;
    r.presets = presets;
    r.file = file;
    r.paths = paths;
    r.timings = timings;
    r.kernel_suite = suite != "token";
    r.token_suite = suite != "kernel";
    r.modes = modes;
    if (args.get("path")) r.token_paths = paths;
    r.gguf_plan = gguf_plan;
    r.ab.threshold = args.get_double_in("ab-threshold", r.ab.threshold * 100, 0, 100) / 100;
    r.ab.confidence = args.get_double_in("ab-confidence", r.ab.confidence, 0.5, 0.9999);
    r.ab.blocks = args.get_int_in("ab-blocks", r.ab.blocks, 3, 100000);
    r.ab.max_rounds = int(args.get_int_in("ab-rounds", r.ab.max_rounds, 1, 100));
    r.ab.max_time_s = args.get_double_in("ab-max-time", r.ab.max_time_s, 0, 3600);
    r.ab.warmup = sampling.warmup;
    r.ab.seed = opt.seed;
    r.ab.injection = opt.injection;
    r.rotate_bytes = opt.rotate_bytes;
    r.device = device;
    r.lock_clocks = args.has("lock-clocks");
    const int processes = int(args.get_int_in("ab-processes", 3, 1, 64));
    if (const std::optional<int> index = ab_process_index()) {  // one of the gate's processes
      // Its own order and placement: seed + index draws both, odd processes swap the sides of
      // every block, and all but the first move their buffers behind a spacer.
      r.ab.seed = opt.seed + uint64_t(*index);
      r.ab.mirror = *index % 2 == 1;
      r.ab.relocate = *index > 0;
      r.one_of_several = true;
      return run_bench_ab(r);
    }
    AbGateRequest g;
    g.processes = processes;
    g.bench_args.assign(argv + 1, argv + argc);
    g.out = r.out;
    g.junit = args.get("junit");
    g.markdown = args.get("markdown");
    return run_ab_gate(g);
  }
  for (const char* o : {"ab-candidate", "ab-threshold", "ab-confidence", "ab-blocks", "ab-rounds",
                        "ab-max-time", "ab-processes", "junit", "markdown"})
    if (args.get(o)) throw UsageError(std::string("--") + o + " applies with --ab-base only");
  try {
    BenchRun::init_benchmark_flags(split.benchmark);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  const auto gpu = require_gpu("bench", device);
  if (!gpu) return kExitNoDevice;
  const DeviceInfo& d = *gpu;
  if (paths_lib) paths_lib->prepare(device);  // its modules loaded before anything is timed
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
