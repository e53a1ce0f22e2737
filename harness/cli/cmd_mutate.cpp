#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>
#include <tuple>

#include "harness/cli/args.h"
#include "harness/cli/commands.h"
#include "harness/cli/external_args.h"
#include "harness/cli/require_gpu.h"
#include "harness/cli/selection.h"
#include "harness/io/atomic_write.h"
#include "harness/io/read_whole_file.h"
#include "harness/mutate/mutation_plan.h"
#include "harness/mutate/mutation_record.h"
#include "harness/mutate/mutation_report.h"
#include "harness/mutate/mutation_run.h"
#include "harness/verify/gpu_exclusive.h"
#include "kernels/launch/launch_config.h"

namespace qgemv::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHelp =
    R"(usage: qgemv mutate --kernel FILE.cu:ENTRY --launch SPEC [--cases 200] [--seed 1]
                    [--out qgemv-mutants] [--jobs N] [--compile-jobs N] [--max-mutants N]
                    [--device N] [--max-k 32768] [--compiler nvrtc|nvcc] [--include DIR,..]
                    [--shard I/N] [--sanitizer PATH|off] [--sanitizer-tools LIST]
                    [--sanitizer-cases 4] [--sanitizer-cache DIR] [--plan [--arch 90]]
       qgemv mutate --kernel FILE.cu[:PART] --instances used [the options above but --launch]
       qgemv mutate --quantizer FILE.cu:ENTRY [the options above but --launch]
       qgemv mutate --merge DIR[,DIR..] [--out DIR]
Mutation testing of a GEMV kernel: measures what fraction of real bugs `qgemv verify` catches.
Generates mutants of the kernel's source, in device code only: arithmetic and comparison
operator swaps, shift direction swaps, integer constants (shift amounts and masks included)
plus or minus one, indices plus or minus one, a dropped statement, a removed __syncthreads, a
shuffle replaced by its value. Compiles each with NVRTC on --compile-jobs threads (default:
every core) for the device's architecture, and judges it on each instance measured: ENTRY with
--launch, or with --instances used every instance of a template that qgemv's launch rule gives
a shape of the model presets or of verify's runs (gemv_mwv.cu: both inputs, every lanes per
block and per row used; PART keeps those whose entry or name holds it; implies nvcc). A mutant
whose code for an instance (its SASS without line information, with the functions it calls,
shared and constant sizes, registers) is the unmutated kernel's is equivalent by SASS there and
not run. On every other instance it runs through the isolated verification (--jobs worker
processes, default 4) with --cases generated cases (default 200, verify's own default; k in
the instance's window, the k its launch rule gives it), the structured checks and --seed,
stopping at the first failure: a mutant that faults or hangs is only killed. One that passes
runs under compute-sanitizer (--sanitizer PATH, default: $CUDA_HOME/bin, the PATH,
/usr/local/cuda/bin; off for none) with each of --sanitizer-tools in turn (default memcheck,
racecheck, synccheck, initcheck; a tool not clean on the unmutated instance is left out there)
on --sanitizer-cases generated cases in one process; the first tool to report an error kills
it. --sanitizer-cache DIR keeps each tool's verdict on each unmutated instance there, so that
a run's shards check an instance once. Each judgement is killed by verify (by the check that failed: bound, poison, guard,
determinism, fault, hang), killed by a sanitizer only (the tool named), equivalent by SASS,
survived, not compiled, or not judged (the GPU became unhealthy). A sanitizer that cannot be
found is reported, and survivors stay survivors. --max-mutants N runs N mutants, evenly
spread over the source. --shard I/N judges every N-th of them from the I-th, and verifies the
unmutated kernel on every N-th instance from the I-th; --merge reads each DIR/mutation.json of
one run's shards and writes the run's files to --out (no GPU needed). --plan compiles and
compares only, without a GPU (for sm_<--arch>, default 90), and writes OUT/plan.md: per
instance the mutants equivalent by SASS, not compiled and to run, and the device time those
cost at the H100's measured 1.5 s per killed and 30 s per surviving judgement.
Writes OUT/report.md: the instances, per instance the score (killed by verify or a sanitizer)
/ (judgements - equivalent - not compiled - not judged), per operator and per check or tool,
the time per judgement by outcome and of the whole run, and the diff of every survivor, each
to be judged an equivalent mutant or a gap; OUT/summary.csv, one row per instance: kernel,
instance,mutants,equivalent_sass,killed_verify,killed_sanitizer,survived,not_compiled,
score_pct; and OUT/mutation.json, every judgement. The kernel must pass verify unmutated on
every instance.
--quantizer FILE.cu:ENTRY (instead of --kernel and --launch) mutates a Q8_1 quantizer with
q8_quantize_kernel's parameters (kernels/gemv/q8_quantize.cu:q8_quantize_kernel with --compiler
nvcc): it has one instance, launched as that kernel is, and each mutant is judged by
`qgemv verify --quantizer` with it in place of the built-in quantizer: the built-in paths whose
input is Q8_1 (q4k_q8, mwv_q8, mwv_q8_dsum) on --cases generated cases, their one-hot sweeps,
q8_quantize against the CPU bit for bit and Q8_1 overflow detection.
--compiler nvcc compiles each mutant with `nvcc -cubin` instead (for sources NVRTC cannot
compile, such as qgemv's own kernel files, which include host code), with --include DIRs
(default .) on the include path and the spec's compile_options; ENTRY may then be a part of
the mangled name that one entry alone has. --max-k bounds verify's generated k for kernels
with a limit of their own (tiled: 12288).
One mutate run at a time uses a GPU: mutants fault, and seven runs faulting side by side left an
H100 in an error state that only a reset clears. A run takes a lock named after the GPU's PCI bus
id in $QGEMV_LOCK_DIR (absolute; default /tmp), held until it and every worker it started have
ended, and a second run waits for the first (--plan and --merge take none).
--kernel, --launch and --quantizer are checked before the GPU is. Exit 0 done, 2 usage (a
malformed --kernel, --quantizer or inline spec included), 3 no CUDA device, 4 a kernel, spec or
shard file that cannot be used (or the GPU's lock file), 6 the GPU became unhealthy.
Reference: docs/mutate.md
)";

// report.md, summary.csv and mutation.json in `dir`; returns the report's text.
std::string write_outputs(const std::string& dir, const MutationOptions& opt,
                          const MutationReport& r) {
  fs::create_directories(dir);
  const std::string text = mutation_report_markdown(opt, r);
  const auto put = [&](const char* name, const std::string& body) {
    write_file_atomically((fs::path(dir) / name).string(), std::ios::out,
                          [&](std::ostream& os) { os << body; });
  };
  put("report.md", text);
  put("summary.csv", mutation_summary_csv(opt, r));
  put("mutation.json", mutation_record_json(opt, r));
  return text;
}

void print_summary(const std::string& text, const std::string& dir) {
  // Everything before the lists of equivalent mutants and survivors.
  const size_t lists =
      std::min({text.find("\n## Equivalent by SASS"), text.find("\n## Killed by a sanitizer"),
                text.find("\n## Survivors")});
  std::cout << text.substr(0, lists) << "\nwrote report.md, summary.csv and mutation.json in "
            << dir << "\n";
}

int merge(const Args& args) {
  for (const char* alone : {"kernel", "launch", "instances", "shard", "quantizer"})
    if (args.has(alone)) throw UsageError(std::string("--") + alone + " does not go with --merge");
  std::vector<MutationRecord> shards;
  for (const std::string& dir : split_list(*args.get("merge"))) {
    const std::string file = (fs::path(dir) / "mutation.json").string();
    std::string text;
    try {
      text = read_whole_file(file);  // its errors name the file
      shards.push_back(parse_mutation_record(text));
    } catch (const std::exception& e) {
      std::cerr << "qgemv mutate: " << (text.empty() ? "" : file + ": ") << e.what() << "\n";
      return kExitBadInput;
    }
  }
  MutationRecord run;
  try {
    run = merge_mutation_records(shards);
  } catch (const std::exception& e) {
    std::cerr << "qgemv mutate: " << e.what() << "\n";
    return kExitBadInput;
  }
  const std::string out = args.get("out").value_or("qgemv-mutants");
  print_summary(write_outputs(out, run.opt, run.report), out);
  return kExitOk;
}

// Whether --quantizer names the kernel; it then stands for --kernel and --launch, and, as a
// quantizer has one instance, excludes --instances. Its FILE.cu:ENTRY is checked as verify
// --quantizer checks it.
bool quantizer_mode(const Args& args, bool instances) {
  if (!args.has("quantizer")) return false;
  for (const char* not_with : {"kernel", "launch"})
    if (args.has(not_with))
      throw UsageError(std::string("--quantizer names the kernel; --") + not_with +
                       " does not go with it");
  if (instances)
    throw UsageError("--instances used does not go with --quantizer: a quantizer has one instance");
  const std::string q = *quantizer_arg(args);  // FILE:ENTRY, the file readable
  if (kernel_source_file(q).empty() || kernel_entry(q).empty())
    throw UsageError("--quantizer " + q + ": mutants are made of source, FILE.cu:ENTRY");
  return true;
}

void sanitizer_args(const Args& args, SanitizerOptions& s) {
  if (auto p = args.get("sanitizer")) {
    s.off = *p == "off";
    if (!s.off) s.path = *p;
  }
  if (auto tools = args.get("sanitizer-tools")) {
    s.tools = split_list(*tools);
    for (const std::string& t : s.tools)
      if (!known_sanitizer_tool(t))
        throw UsageError("--sanitizer-tools: unknown tool '" + t +
                         "' (memcheck, racecheck, synccheck, initcheck)");
  }
  s.cases = args.get_int_in("sanitizer-cases", s.cases, 1, 1 << 20);
  s.cache_dir = args.get("sanitizer-cache").value_or("");
}

}  // namespace

int run_mutate(int argc, char** argv) {
  const Args args(argc, argv, 2,
                  {"kernel", "launch",    "quantizer",       "cases",           "seed",
                   "out",    "jobs",      "compile-jobs",    "max-mutants",     "device",
                   "max-k",  "compiler",  "include",         "instances",       "shard",
                   "merge",  "sanitizer", "sanitizer-tools", "sanitizer-cases", "sanitizer-cache",
                   "arch"},
                  {"help", "plan"});
  if (args.has("help")) {
    std::cout << kHelp;
    return kExitOk;
  }
  if (args.has("merge")) return merge(args);
  MutationOptions opt;
  const std::optional<std::string> instances = args.get("instances");
  opt.quantizer = quantizer_mode(args, instances.has_value());
  opt.kernel = opt.quantizer ? *args.get("quantizer") : args.require("kernel");
  if (instances && *instances != "used")
    throw UsageError("--instances expects used, got '" + *instances + "'");
  opt.cases = args.get_int_in("cases", opt.cases, 1, 1 << 20);
  opt.seed = args.get_u64("seed", opt.seed);
  opt.out_dir = args.get("out").value_or(opt.out_dir);
  opt.verify_jobs = int(args.get_int_in("jobs", opt.verify_jobs, 1, 256));
  opt.compile_jobs = int(args.get_int_in("compile-jobs", 0, 0, 1024));
  opt.max_mutants = args.get_int_in("max-mutants", 0, 0, 1 << 20);
  opt.device = int(args.get_int_in("device", 0, 0, 1 << 20));
  opt.max_k = args.get_int_in("max-k", opt.max_k, 256, 1 << 20);
  opt.compiler = args.get("compiler").value_or(instances ? "nvcc" : opt.compiler);
  if (opt.compiler != "nvrtc" && opt.compiler != "nvcc")
    throw UsageError("--compiler expects nvrtc or nvcc");
  if (auto inc = args.get("include")) opt.includes = split_list(*inc);
  if (auto sh = args.get("shard")) std::tie(opt.shard, opt.shards) = parse_shard(*sh);
  sanitizer_args(args, opt.sanitizer);
  const std::string file = kernel_source_file(opt.kernel);
  const bool bare = kernel_entry(opt.kernel).empty();
  // Inputs are checked before the GPU is: a bad --kernel or spec is found on any machine.
  if (file.empty() || (bare && !instances))
    throw UsageError("--kernel " + opt.kernel + ": mutants are made of source, FILE.cu:ENTRY" +
                     (instances ? " or FILE.cu" : ""));
  if (instances) {
    if (args.has("launch"))
      throw UsageError("--launch does not go with --instances used: each instance has its own");
    if (opt.compiler != "nvcc") throw UsageError("--instances used needs --compiler nvcc");
  } else if (!opt.quantizer) {
    opt.launch = args.require("launch");
    checked_external_kernel(opt.kernel, opt.launch);
  }
  opt.plan = args.has("plan");
  if (args.has("arch") && !opt.plan)
    throw UsageError("--arch goes with --plan (a run uses the GPU's)");
  if (opt.plan) opt.arch = int(args.get_int_in("arch", 90, 50, 1000));
  if (!opt.plan && !require_gpu("mutate", opt.device)) return kExitNoDevice;
  if (instances) {
    VerifyOptions shapes;
    shapes.max_k = opt.max_k;
    const std::string part = kernel_entry(opt.kernel);
    try {
      opt.instances = used_instances(file, part, shapes, device_resident_threads());
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
  }
  if (opt.plan) {
    const std::string plan = mutation_plan_markdown(opt, run_mutation(opt, std::cout));
    fs::create_directories(opt.out_dir);
    write_file_atomically((fs::path(opt.out_dir) / "plan.md").string(), std::ios::out,
                          [&](std::ostream& os) { os << plan; });
    std::cout << plan << "\nwrote plan.md in " << opt.out_dir << "\n";
    return kExitOk;
  }
  const auto write = [&](const MutationReport& r) { return write_outputs(opt.out_dir, opt, r); };
  // Mutants fault; several processes faulting side by side took a GPU out of service.
  const std::optional<GpuExclusive> exclusive =
      GpuExclusive::acquire(gpu_lock_key(opt.device), gpu_lock_dir(), true, std::cout);
  const MutationReport report = run_mutation(opt, std::cout, write);
  print_summary(write(report), opt.out_dir);
  return report.health.unhealthy.empty() ? kExitOk : kExitUnhealthy;
}

}  // namespace qgemv::cli
