#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "harness/cli/args.h"
#include "harness/cli/commands.h"
#include "harness/cli/external_args.h"
#include "harness/cli/require_gpu.h"
#include "harness/cli/selection.h"
#include "harness/io/atomic_write.h"
#include "harness/mutate/mutation_report.h"
#include "harness/mutate/mutation_run.h"

namespace qgemv::cli {
namespace {

constexpr const char* kHelp =
    R"(usage: qgemv mutate --kernel FILE.cu:ENTRY --launch SPEC [--cases 200] [--seed 1]
                    [--out qgemv-mutants] [--jobs N] [--compile-jobs N] [--max-mutants N]
                    [--device N] [--max-k 32768] [--compiler nvrtc|nvcc] [--include DIR,..]
Mutation testing of a GEMV kernel: measures what fraction of real bugs `qgemv verify` catches.
Generates mutants of the kernel's source, in device code only: arithmetic and comparison
operator swaps, shift direction swaps, integer constants (shift amounts and masks included)
plus or minus one, indices plus or minus one, a dropped statement, a removed __syncthreads, a
shuffle replaced by its value. Compiles each with NVRTC on --compile-jobs threads (default:
every core) for the device's architecture. A mutant whose code for ENTRY (its SASS without
line information, with the functions it calls, shared and constant sizes, registers) is the
unmutated kernel's is equivalent by SASS and not run. Every other one runs through the
isolated verification (--jobs worker processes, default 4) with --cases generated cases
(default 200, verify's own default), the structured checks and --seed, stopping at the first
failure: a mutant that faults or hangs is only killed. Each is killed (by the check that
failed: bound, poison, guard, determinism, fault, hang), equivalent by SASS, survived, not
compiled, or not judged (the GPU became unhealthy). --max-mutants N runs N of them, evenly
spread over the source. Writes OUT/report.md: the score killed / (mutants - equivalent -
not compiled - not judged), per operator and per check, the time per mutant by outcome and
of the whole run, and the diff of every survivor, each to be judged an equivalent mutant or
a gap; and OUT/summary.csv, one row: kernel,instance,mutants,equivalent_sass,killed_verify,
killed_sanitizer,survived,not_compiled,score_pct (killed_sanitizer: 0, no sanitizer triage).
The kernel must pass verify unmutated. --compiler nvcc compiles each mutant with
`nvcc -cubin` instead (for sources NVRTC cannot compile, such as qgemv's own kernel files,
which include host code), with --include DIRs (default .) on the include path and the spec's
compile_options; ENTRY may then
be a part of the mangled name that one entry alone has. --max-k bounds verify's generated k
for kernels with a limit of their own (tiled: 12288).
--kernel and --launch are checked before the GPU is. Exit 0 done, 2 usage (a malformed --kernel
or inline spec included), 3 no CUDA device, 4 a kernel or spec file that cannot be used.
Reference: docs/mutate.md
)";

}  // namespace

int run_mutate(int argc, char** argv) {
  const Args args(argc, argv, 2,
                  {"kernel", "launch", "cases", "seed", "out", "jobs", "compile-jobs",
                   "max-mutants", "device", "max-k", "compiler", "include"},
                  {"help"});
  if (args.has("help")) {
    std::cout << kHelp;
    return kExitOk;
  }
  MutationOptions opt;
  opt.kernel = args.require("kernel");
  opt.launch = args.require("launch");
  // Inputs are checked before the GPU is: a bad --kernel or spec is found on any machine.
  if (!opt.kernel.substr(0, opt.kernel.rfind(':')).ends_with(".cu"))
    throw UsageError("--kernel " + opt.kernel + ": mutants are made of source, FILE.cu:ENTRY");
  checked_external_kernel(opt.kernel, opt.launch);
  opt.cases = args.get_int_in("cases", opt.cases, 1, 1 << 20);
  opt.seed = args.get_u64("seed", opt.seed);
  opt.out_dir = args.get("out").value_or(opt.out_dir);
  opt.verify_jobs = int(args.get_int_in("jobs", opt.verify_jobs, 1, 256));
  opt.compile_jobs = int(args.get_int_in("compile-jobs", 0, 0, 1024));
  opt.max_mutants = args.get_int_in("max-mutants", 0, 0, 1 << 20);
  opt.device = int(args.get_int_in("device", 0, 0, 1 << 20));
  opt.max_k = args.get_int_in("max-k", opt.max_k, 256, 1 << 20);
  opt.compiler = args.get("compiler").value_or(opt.compiler);
  if (opt.compiler != "nvrtc" && opt.compiler != "nvcc")
    throw UsageError("--compiler expects nvrtc or nvcc");
  if (auto inc = args.get("include")) opt.includes = split_list(*inc);
  const auto gpu = require_gpu("mutate", opt.device);
  if (!gpu) return kExitNoDevice;
  const std::string path = (std::filesystem::path(opt.out_dir) / "report.md").string();
  const std::string csv = (std::filesystem::path(opt.out_dir) / "summary.csv").string();
  const auto write = [&](const MutationReport& r) {
    const std::string text = mutation_report_markdown(opt, r);
    write_file_atomically(path, std::ios::out, [&](std::ostream& os) { os << text; });
    const std::string summary = mutation_summary_csv(opt, r);
    write_file_atomically(csv, std::ios::out, [&](std::ostream& os) { os << summary; });
    return text;
  };
  const MutationReport report = run_mutation(opt, std::cout, write);
  const std::string text = write(report);
  // The summary: everything before the lists of equivalent mutants and survivors.
  const size_t lists = std::min(text.find("\n## Equivalent by SASS"), text.find("\n## Survivors"));
  std::cout << text.substr(0, lists) << "\nwrote " << path << " and " << csv << "\n";
  return report.health.unhealthy.empty() ? kExitOk : kExitUnhealthy;
}

}  // namespace qgemv::cli
