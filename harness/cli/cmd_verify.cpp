#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <random>
#include <sstream>
#include <thread>
#include <tuple>

#include "harness/bench/model_preset.h"
#include "harness/cli/args.h"
#include "harness/cli/build_info.h"
#include "harness/cli/commands.h"
#include "harness/cli/external_args.h"
#include "harness/cli/paths_lib_args.h"
#include "harness/cli/require_gpu.h"
#include "harness/cli/selection.h"
#include "harness/executor/device_info.h"
#include "harness/external/external_kernel.h"
#include "harness/gguf/gguf_file.h"
#include "harness/io/atomic_write.h"
#include "harness/io/junit_xml.h"
#include "harness/io/output_file.h"
#include "harness/verify/gguf_verify.h"
#include "harness/verify/isolated_verify.h"
#include "harness/verify/q8_convention.h"
#include "harness/verify/random_case.h"
#include "harness/verify/verify_junit.h"
#include "harness/verify/verify_suite.h"
#include "reference/gemv.h"

namespace qgemv::cli {
namespace {

int device_arg(const Args& args) {
  return int(args.get_int_in("device", 0, 0, std::numeric_limits<int>::max()));
}

// --devices: "all" (every CUDA device of the host) or a comma-separated list of device numbers,
// each of which must be usable; empty without the option.
std::vector<int> devices_arg(const Args& args) {
  const std::optional<std::string> v = args.get("devices");
  if (!v) return {};
  std::vector<int> out;
  if (*v == "all") {
    for (int d = 0; d < 1024 && query_device(d).available; ++d) out.push_back(d);
    if (out.empty()) out.push_back(0);  // which the GPU check then reports missing (exit 3)
    return out;
  }
  // split_list drops empty items, which would let "0,,1" pass as 0,1.
  if (v->empty() || v->front() == ',' || v->back() == ',' || v->find(",,") != std::string::npos)
    throw UsageError("--devices expects all or device numbers such as 0,1, got '" + *v + "'");
  for (const std::string& item : split_list(*v)) {
    int d = -1;
    const auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), d);
    if (ec != std::errc() || ptr != item.data() + item.size() || d < 0)
      throw UsageError("--devices expects all or device numbers such as 0,1, got '" + *v + "'");
    if (std::find(out.begin(), out.end(), d) != out.end())
      throw UsageError("--devices names device " + item + " twice");
    out.push_back(d);
  }
  return out;
}

// A case's weights (n x k/256 blocks of 144 bytes) are held whole on the host and the GPU, by
// every worker at once; n x k is bounded so that the largest case is a few GiB, not hundreds.
constexpr int64_t kMaxCaseValues = int64_t(1) << 32;

void check_case_size(int64_t max_n, int64_t max_k) {
  if (max_n * max_k <= kMaxCaseValues) return;
  const double gib = double(q4k_weight_bytes(max_n, max_k)) / double(1 << 30);
  std::ostringstream why;
  why << "--max-n " << max_n << " and --max-k " << max_k << " allow a case of " << gib
      << " GiB of Q4_K weights; --max-n x --max-k may be at most 2^32 (2.25 GiB)";
  throw UsageError(why.str());
}

// The generated cases on the CPU alone: both Q8_1 conventions' exact arithmetic against the
// exact product (q8_convention.h), the weights drawn as testing::materialize draws them.
int compare_q8_conventions(const VerifyOptions& opt) {
  AccuracyTable t;
  for (int64_t i = 0; i < opt.cases; ++i) {
    const testing::GemvCase c =
        testing::draw_case(case_seed(opt.seed, i), opt.max_n, opt.max_k, opt.min_k);
    const testing::GemvData d = testing::materialize(c);
    add_q8_convention_accuracy(d.w, d.x, testing::name(c.input), reference_gemv_f32(d.w, d.x), t);
  }
  std::cout << "qgemv verify --q8-conventions --cases " << opt.cases << " --seed " << opt.seed
            << " --max-n " << opt.max_n << " --max-k " << opt.max_k << "\n\n"
            << render_accuracy(t)
            << "\nMedians are read from a histogram of eight bins per decade (within about 15 %),\n"
               "and never shown above the worst value.\n";
  return kExitOk;
}

// Prints the tally and failures, and writes the record when asked (`head`: the run's lines).
void report_verify(const VerifyReport& rep, const DeviceInfo& d, uint64_t seed, double secs,
                   const std::string& head, const std::optional<std::string>& record) {
  std::ostringstream table;
  table << "| suite | cases | failures |\n| --- | ---: | ---: |\n";
  for (const auto& [name, t] : rep.tallies)
    table << "| " << name << " | " << t.cases << " | " << t.failures << " |\n";
  if (rep.devices.size() > 1) {
    table << "\n| device | units | failures |\n| ---: | ---: | ---: |\n";
    for (const auto& [device, t] : rep.devices)
      table << "| " << device << " | " << t.cases << " | " << t.failures << " |\n";
  }
  if (!rep.accuracy.empty())
    table << "\n## Accuracy against the exact product of the unquantized input\n\n"
          << "Per output row: |y - exact| / sum |w_i x_i| (exact: float64 product of the "
             "dequantized weights and the f32 input, before any Q8_1 quantization). NMSE per "
             "case: sum (y - exact)^2 / sum exact^2 (llama.cpp test-backend-ops). Medians from "
             "a histogram of eight bins per decade.\n\n"
          << render_accuracy(rep.accuracy);
  std::cout << "\n" << table.str() << "\n";
  for (const Failure& f : rep.failures) std::cout << "FAIL " << f.text << "\n";
  std::cout << "\n" << health_summary(rep.health);
  if (!rep.health.unhealthy.empty())
    std::cout << "NO VERDICT: the GPU became unhealthy (" << rep.health.unhealthy << "); "
              << unhealthy_advice() << "\n";
  else
    std::cout << (rep.failures.empty() ? "all passed" : "FAILED") << " in " << secs << " s (seed "
              << seed << ")\n";
  if (!record) return;
  write_file_atomically(*record, std::ios::out, [&](std::ostream& os) {
    os << "qgemv verify record\n\ngit revision (built): " << kGitRevision << "\ndevice: " << d.name
       << " (sm_" << d.cc_major << d.cc_minor << ")\ndriver: " << d.driver
       << "\nCUDA runtime: " << d.runtime << "\n"
       << head << "seconds: " << secs << "\nfailures: " << rep.failures.size() << "\n"
       << health_summary(rep.health) << "\n"
       << table.str();
    for (const Failure& f : rep.failures) os << "\nFAIL " << f.text << "\n";
  });
}

// Outputs the rule refuses are found before the run, not after it.
void check_verify_outputs(const Args& args) {
  std::vector<std::pair<std::string, std::string>> outputs;
  for (const char* name : {"record", "junit"})
    if (auto f = args.get(name)) outputs.emplace_back(std::string("--") + name, *f);
  std::vector<std::string> inputs;
  if (auto g = args.get("gguf")) inputs.push_back(*g);
  check_output_files(outputs, inputs);
}

int verify_gguf_file(const Args& args, const std::string& path, const VerifyOptions& base,
                     const PathsLibrary* paths_lib) {
  GgufVerifyOptions opt;
  opt.tensor_regex = args.get("tensor").value_or("");
  opt.inputs = args.get_int("inputs", opt.inputs);
  opt.seed = base.seed;
  opt.paths = base.paths;
  if (opt.inputs < 1) throw UsageError("--inputs must be at least 1");
  const gguf::GgufFile file = gguf::GgufFile::open(path);  // a broken file: exit 4, no GPU needed
  const auto external = external_kernel_arg(args);
  const auto gpu = require_gpu("verify", device_arg(args));
  if (!gpu) return kExitNoDevice;
  if (paths_lib) paths_lib->prepare(device_arg(args));
  if (external) opt.paths = {load_external(*external, device_arg(args))};
  std::cout << "qgemv verify: " << path << " (GGUF v" << file.version() << ", "
            << file.tensors().size() << " tensors), seed " << opt.seed << ", " << opt.inputs
            << " inputs per tensor on " << gpu->name << "\n";
  const auto t0 = std::chrono::steady_clock::now();
  Executor ex(device_arg(args));
  GgufVerifyReport rep;
  try {
    rep = verify_gguf(ex, file, opt, std::cout);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (const auto& s : rep.skipped) std::cout << "skipped " << s << "\n";
  std::cout << rep.verified.size() << " Q4_K tensors verified, " << rep.skipped.size()
            << " skipped\n";
  std::ostringstream head;
  head << "gguf: " << path << "\ntensor regex: '" << opt.tensor_regex << "'\nseed: " << opt.seed
       << "\ninputs per tensor: " << opt.inputs << "\ntensors verified: " << rep.verified.size()
       << "\ntensors skipped: " << rep.skipped.size() << "\n";
  for (const auto& s : rep.skipped) head << "  skipped " << s << "\n";
  report_verify(rep.report, *gpu, opt.seed, secs, head.str(), args.get("record"));
  if (auto junit = args.get("junit"))
    write_junit_xml(*junit, "qgemv verify --gguf", verify_junit_cases(rep.report));
  return rep.report.failures.empty() ? kExitOk : kExitFailed;
}

}  // namespace

int run_verify(int argc, char** argv) {
  const Args args(argc, argv, 2,
                  {"cases", "seed",        "path",        "max-n",         "max-k",
                   "min-k", "record",      "device",      "devices",       "shard",
                   "gguf",  "tensor",      "inputs",      "jobs",          "timeout",
                   "junit", kKernelOption, kLaunchOption, kPathsLibOption, kQuantizerOption},
                  {"help", "no-structured", "no-isolate", "q8-conventions", "edge-k"});
  if (args.has("help")) {
    std::cout
        << "usage: qgemv verify [--cases 200] [--seed S] [--path P] [--max-n 4096]\n"
           "                    [--max-k 32768] [--min-k 256] [--edge-k] [--record FILE]\n"
           "                    [--no-structured]\n"
           "                    [--jobs N] [--timeout S] [--no-isolate] [--shard I/N]\n"
           "                    [--device N | --devices all|LIST] [--junit FILE]\n"
           "                    [--paths-lib FILE] [--quantizer FILE:ENTRY]\n"
           "       qgemv verify --gguf FILE [--tensor REGEX] [--inputs 3] [--seed S] [--path P]\n"
           "                    [--record FILE] [--device N] [--junit FILE] [--paths-lib FILE]\n"
           "Runs every GPU path (or --path P) in its async, into and graph forms against the\n"
           "CPU reference on --cases generated cases per path (random shapes biased to the\n"
           "paths' edges, several weight and input distributions), checking each output row\n"
           "against the path's error bound (reference/ERROR_MODEL.md), that all forms agree bit\n"
           "for bit and that repeated runs are identical. Unless --no-structured: one-hot\n"
           "sweeps over every input position, q8_quantize against the CPU bit for bit, Q8_1\n"
           "overflow detection, and rejection of bad shapes and names.\n"
           "A failure prints its case (seed, n, k, distributions) and the case shrunk to the\n"
           "fewest rows that still fail; rerunning with the printed run --seed replays it.\n"
           "Every buffer a verified launch reads or writes lies between guard zones; a write\n"
           "outside a buffer fails the case, naming the buffer and the byte range. The input is\n"
           "written by a kernel that finishes late, so a GEMV that does not wait for the\n"
           "previous kernel (dependent launch) reads poison and fails.\n"
           "The run is split into --jobs worker processes (default: half the cores, at most 8),\n"
           "each one shard. A kernel that faults fails its path with the CUDA error and the case;\n"
           "a GPU step that takes longer than --timeout seconds (default 10 s plus 1 s per 64 MiB\n"
           "of the case's weights) fails its path as hung and its worker is killed. Either way a\n"
           "new worker goes on without that path, and every other path is still verified.\n"
           "--devices all (every GPU of the host) or a list such as 0,2,3 spreads the workers "
           "over\n"
           "those GPUs (worker j on the j-th device, round robin; --jobs counts them all and\n"
           "defaults to 8 per device, at most half the cores); their tallies merge into one\n"
           "record, which adds units and failures per device, and each failure names its device.\n"
           "While it runs, progress gives units done, failures so far and the time left (one\n"
           "line rewritten in place on a terminal, else a line every five seconds).\n"
           "Every generated case also counts toward an accuracy table per path and input\n"
           "distribution: worst and median row error relative to sum |w_i x_i| and NMSE against\n"
           "the exact product of the unquantized input, with rows for both Q8_1 conventions\n"
           "(s = sum x, s = d * sum q) in exact arithmetic.\n"
           "--q8-conventions runs only that comparison, on the CPU (no GPU needed), over\n"
           "--cases generated cases of at most --max-n rows and --max-k columns.\n"
           "--no-isolate runs in this process instead (for compute-sanitizer), where a fault\n"
           "ends the run with exit 1.\n"
           "--shard I/N runs only cases i with i % N == I (processes sharing one run; implies\n"
           "--no-isolate). --jobs takes 1 to 256, --device 0 to 2^31-1 (default 0), --max-n 1 to\n"
           "2^20, --max-k 256 to 2^20, and --max-n x --max-k at most 2^32 (a case of 2.25 GiB).\n"
           "--min-k K (256 to --max-k) draws generated k from K up (one launch configuration's\n"
           "k alone, as mutate runs a template instance).\n"
           "--edge-k gives the first two generated cases the largest k (--max-k) and the smallest\n"
           "(--min-k) instead of drawn ones: for runs of a few cases (mutate's sanitizer triage).\n"
           "--junit FILE also writes JUnit XML: one test case per path and form (and per\n"
           "structured check), failed with its failures.\n"
           "With --gguf: every Q4_K tensor of the GGUF file whose name contains a match of\n"
           "--tensor (all tensors without it) is loaded under its GGUF name and run on every path\n"
           "and form against the reference on --inputs random inputs (normal, heavy-tailed, mixed\n"
           "magnitude, ...); tensors of other types are listed as skipped with their type.\n"
        << kExternalKernelHelp << kPathsLibHelp << kQuantizerHelp
        << "Exit 0 all passed, 1 any failure (a fault or a hang included), 2 usage, 3 no CUDA\n"
           "device, 4 an unreadable GGUF file.\n"
           "Reference: docs/verify.md\n";
    return kExitOk;
  }
  check_verify_outputs(args);
  VerifyOptions opt;
  opt.cases = args.get_int_in("cases", opt.cases, 0, int64_t(1) << 40);
  opt.seed = args.get_u64("seed", std::random_device{}());
  opt.max_n = args.get_int_in("max-n", opt.max_n, 1, 1 << 20);
  opt.max_k = args.get_int_in("max-k", opt.max_k, 256, 1 << 20);
  opt.min_k = args.get_int_in("min-k", opt.min_k, 256, opt.max_k);
  check_case_size(opt.max_n, opt.max_k);
  opt.structured = !args.has("no-structured");
  opt.edge_k = args.has("edge-k");
  if (auto sh = args.get("shard")) std::tie(opt.shard, opt.shards) = parse_shard(*sh);
  IsolationOptions iso;
  bool isolate = !args.has("no-isolate") && !args.get("shard");
  if (args.has("devices"))
    for (const char* not_with : {"device", "no-isolate", "shard", "gguf"})
      if (args.has(not_with))
        throw UsageError(std::string("--devices does not go with --") + not_with);
  iso.devices = devices_arg(args);
  const int64_t devices = std::max<int64_t>(1, int64_t(iso.devices.size()));
  iso.jobs = int(args.get_int_in(
      "jobs", std::clamp<int64_t>(std::thread::hardware_concurrency() / 2, 1, 8 * devices), 1,
      256));
  iso.terminal = ::isatty(STDOUT_FILENO) == 1;
  iso.timeout_s = args.get_double("timeout", 0);
  if (!(iso.timeout_s >= 0 && iso.timeout_s <= 86400))
    throw UsageError("--timeout expects seconds from 0 (by case size) to 86400");
  // Loaded first, so that --path finds its rows. Isolated, this process only needs their names:
  // it reads the library's table and never prepares it, so it still makes no CUDA context.
  const PathsLibrary* paths_lib = args.has("q8-conventions") ? nullptr : paths_library_arg(args);
  if (auto p = args.get("path")) opt.paths = {select_path(*p)};
  if (auto g = args.get("gguf")) {
    // A GGUF file is verified in this process, without workers or structured checks.
    for (const char* not_with : {"cases", "max-n", "max-k", "min-k", "edge-k", "shard", "jobs",
                                 "timeout", "no-isolate", "no-structured", "quantizer"})
      if (args.has(not_with))
        throw UsageError(std::string("--") + not_with + " does not apply to --gguf");
    return verify_gguf_file(args, *g, opt, paths_lib);
  }
  if (args.has("q8-conventions")) {
    // A CPU comparison of two quantizer conventions: no path, device, worker, record or JUnit
    // output of verify's applies, and a CI job asking for one must hear so.
    for (const char* not_with : {"path", "kernel", "launch", "paths-lib", "devices", "device",
                                 "jobs", "timeout", "shard", "record", "junit", "no-isolate",
                                 "no-structured", "tensor", "inputs", "quantizer", "edge-k"})
      if (args.has(not_with))
        throw UsageError(std::string("--") + not_with + " does not apply to --q8-conventions");
    return compare_q8_conventions(opt);
  }
  if (args.get("tensor") || args.get("inputs"))
    throw UsageError("--tensor and --inputs need --gguf");
  // Checked before the GPU is: a bad spec or file, or --kernel with --path, needs no device.
  const auto external = external_kernel_arg(args);
  const std::optional<std::string> quantizer = quantizer_arg(args);
  if (quantizer && !external) opt.paths = quantizer_paths(opt.paths, args.has("path"));
  const int first_device = iso.devices.empty() ? device_arg(args) : iso.devices.front();
  const auto gpu = require_gpu("verify", first_device);
  if (!gpu) return kExitNoDevice;
  // Every listed device, not only the first: a worker on a missing one would die before its
  // first case and leave its shard unverified.
  for (int other : iso.devices)
    if (!require_gpu("verify", other)) return kExitNoDevice;
  if (iso.jobs < int(iso.devices.size()))
    throw UsageError("--jobs " + std::to_string(iso.jobs) + " leaves some of the " +
                     std::to_string(iso.devices.size()) + " devices without a worker");
  const DeviceInfo& d = *gpu;
  // Isolated, this process only names the kernel: the health probe that precedes the workers
  // loads it, so that a module that cannot be used is reported once (exit 4), and the workers
  // load it again; this process makes no CUDA context.
  if (external) {
    opt.paths = {isolate ? declare_external_kernel(external->kernel, external->launch)
                         : load_external(*external, first_device)};
    iso.externals = {*external};
    if (quantizer) opt.paths = quantizer_paths(opt.paths, true);
  }
  // Isolated, the workers load it (and the probe before them, as it loads --kernel).
  if (quantizer)
    opt.quantizer =
        isolate ? declare_quantizer(*quantizer) : load_quantizer(*quantizer, first_device);
  if (paths_lib) {
    if (isolate)
      iso.paths_libraries = {std::filesystem::absolute(paths_lib->file()).string()};
    else
      paths_lib->prepare(first_device);
  }
  std::cout << "qgemv verify: seed " << opt.seed << ", " << opt.cases << " cases per path on "
            << d.name << "\n";
  const auto t0 = std::chrono::steady_clock::now();
  VerifyReport rep;
  std::ostringstream head;
  head << "seed: " << opt.seed << "\ncases per path: " << opt.cases << "\n";
  if (quantizer) {
    head << "quantizer: " << *quantizer << "\n";
    std::cout << "  quantizer " << *quantizer << " before the Q8_1 paths\n";
  }
  if (isolate) {
    iso.device = device_arg(args);
    std::string on;
    for (int dev : iso.devices) {
      on += on.empty() ? "" : ",";
      on += std::to_string(dev);
    }
    std::cout << "  in " << iso.jobs << " worker process(es)"
              << (on.empty() ? "" : " on devices " + on) << ", GPU step timeout "
              << (iso.timeout_s > 0 ? std::to_string(iso.timeout_s) + " s" : "by case size")
              << "\n";
    rep = run_isolated_verify(opt, iso, std::cout);
    head << "workers: " << iso.jobs << " (isolated)\n";
    if (rep.worker_s > 0)
      head << "worker time: " << std::lround(rep.worker_s) << " s in all, "
           << std::lround(100 * rep.gpu_step_s / rep.worker_s)
           << " % of it in GPU steps (the rest: the CPU reference and the checks against it)\n";
    std::cout << "\n" << head.str().substr(head.str().find("workers:"));
    if (!on.empty()) head << "devices: " << on << "\n";
  } else {
    Executor ex(device_arg(args));
    rep = run_verify(ex, opt, std::cout);
    head << "shard: " << opt.shard << "/" << opt.shards << " (in process)\n";
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  report_verify(rep, d, opt.seed, secs, head.str(), args.get("record"));
  if (auto junit = args.get("junit"))
    write_junit_xml(*junit, "qgemv verify", verify_junit_cases(rep));
  if (!rep.health.unhealthy.empty()) return kExitUnhealthy;
  return rep.failures.empty() ? kExitOk : kExitFailed;
}

}  // namespace qgemv::cli
