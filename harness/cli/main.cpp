// qgemv: verifies and benchmarks quantized GEMV kernels (Q4_K weights, f32 or Q8_1 input).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "harness/cli/args.h"
#include "harness/cli/build_info.h"
#include "harness/cli/commands.h"
#include "harness/executor/cuda_check.h"
#include "harness/io/output_file.h"
#include "harness/verify/verify_worker.h"

namespace {

constexpr const char* kUsage =
    R"(qgemv: verify and benchmark Q4_K GEMV kernels (batch 1, decode step)

usage: qgemv <command> [options]     (qgemv <command> --help for its options)
       qgemv --version

commands:
  info       build, CUDA runtime and driver, device (or "no CUDA device: <reason>")
  verify     run every GPU path against the CPU reference on generated cases
  gemv       run one GEMV from files on any path (reference runs on the CPU)
  bench      time kernels and decode steps (Google Benchmark); write a results CSV
  explain    where one decode step's time goes, per mode, and what removes the largest cost
  compare    compare two results CSVs; exit 1 on a real regression or a missing case
  merge      pool runs of one build into a baseline whose spread covers the runs
  mutate     mutation testing: what fraction of a kernel's mutants verify catches
  profile    each kernel's hardware counters (Nsight Compute) and what limits it
  gguf       list a GGUF file's tensors: name, type, shape, offset, bytes

exit codes: 0 ok, 1 verification failed, regression or failed case, 2 usage error (an
            output file refused included), 3 no CUDA device, 4 bad or inconsistent input
            files, or an output (standard output included) that could not be written,
            5 no hardware counters, 6 the GPU became unhealthy during the run (no verdict)
output files: docs/OUTPUT_FILES.md (a named file is replaced whole; never an input)
reference: docs/README.md (README.md: set-up, quick start, recipes)
)";

int run(int argc, char** argv) {
  using namespace qgemv::cli;
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    std::cout << kUsage;
    return argc < 2 ? kExitUsage : kExitOk;
  }
  if (!std::strcmp(argv[1], "--version")) {
    if (argc > 2) {
      std::cerr << "qgemv: --version takes no arguments\n";
      return kExitUsage;
    }
    std::cout << "qgemv " << qgemv::kVersion << " (git " << qgemv::kGitRevision << ")\n";
    return kExitOk;
  }
  const std::string cmd = argv[1];
  try {
    if (cmd == "info") return run_info(argc, argv);
    if (cmd == "compare") return run_compare(argc, argv);
    if (cmd == "gemv") return run_gemv(argc, argv);
    if (cmd == "verify") return run_verify(argc, argv);
    if (cmd == "bench") return run_bench(argc, argv);
    if (cmd == "explain") return run_explain(argc, argv);
    if (cmd == "merge") return run_merge(argc, argv);
    if (cmd == "mutate") return run_mutate(argc, argv);
    if (cmd == "profile") return run_profile(argc, argv);
    if (cmd == "gguf") return run_gguf(argc, argv);
    std::cerr << "qgemv: unknown command '" << cmd << "'\n\n" << kUsage;
    return kExitUsage;
  } catch (const UsageError& e) {
    std::cerr << "qgemv " << cmd << ": " << e.what() << " (see qgemv " << cmd << " --help)\n";
    return kExitUsage;
  } catch (const qgemv::OutputFileError& e) {
    std::cerr << "qgemv " << cmd << ": " << e.what() << " (docs/OUTPUT_FILES.md)\n";
    return kExitUsage;
  } catch (const qgemv::CudaError& e) {
    // A kernel fault or a failing CUDA call is a failed run, not a bad input file.
    std::cerr << "qgemv " << cmd << ": " << e.what() << "\n";
    return kExitFailed;
  } catch (const std::exception& e) {
    std::cerr << "qgemv " << cmd << ": " << e.what() << "\n";
    return kExitBadInput;
  }
}

}  // namespace

// Every command's output goes through std::cout; one check here, after the command, catches a
// failed write to a full disk, a closed pipe or /dev/full for all of them. A verdict that
// never reached its reader must not exit 0; exit 4, as for any output that cannot be written.
int main(int argc, char** argv) {
  if (const auto worker = qgemv::run_verify_worker_if_asked(argc, argv)) return *worker;
  const int code = run(argc, argv);
  errno = 0;
  // stdio first: what it still holds fails again, this time with errno to name the reason.
  const bool stdio_ok = std::fflush(stdout) == 0 && !std::ferror(stdout);
  const bool flushed = stdio_ok && std::cout.flush();
  if (flushed) return code;
  const int e = errno;
  std::cerr << "qgemv" << (argc > 1 ? std::string(" ") + argv[1] : std::string())
            << ": cannot write standard output: " << (e ? std::strerror(e) : "a write failed")
            << "\n";
  return qgemv::cli::kExitBadInput;
}
