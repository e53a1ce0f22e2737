#pragma once
// Runs Nsight Compute (`ncu`) on a profiling target, a child process that launches each kernel
// once between cudaProfilerStart and cudaProfilerStop, and returns ncu's raw page as CSV.
// Clocks are never touched (--clock-control none: numbers match qgemv bench, and the device
// machines forbid changing clocks); caches are flushed before each kernel (--cache-control
// all), so weights come from DRAM as the benchmarks' rotation makes them.
#include <stdexcept>
#include <string>
#include <vector>

namespace qgemv::profile {

// Why there are no counters; the command prints the message and exits kExitNoCounters.
struct CountersUnavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// ncu's own failure on a target that ran (a crash, a bad metric name): a failed run.
struct NcuFailed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct NcuTool {
  std::string path;     // as given to run_process: a name on PATH or a file
  std::string version;  // "ncu " and `ncu --version`'s last line ("Version 2025.3.1.0 (...)")
};

// The ncu executable: `requested` if given, else ncu on PATH, else the toolkit's default
// install (/usr/local/cuda/bin/ncu), with the version the run that found it printed. Throws
// CountersUnavailable if none can be run.
NcuTool find_ncu(const std::string& requested);

// The collecting run's command line, writing report `report` (ncu adds .ncu-rep).
std::vector<std::string> ncu_collect_argv(const std::string& ncu, const std::string& report,
                                          const std::vector<std::string>& target);
// The command line that prints the report's raw page as CSV, values in base units.
std::vector<std::string> ncu_import_argv(const std::string& ncu, const std::string& report);

// Turns ncu's output after a failed or empty run into the reason: CountersUnavailable when the
// counters are not permitted (ERR_NVGPUCTRPERM) or there is no device, NcuFailed otherwise.
[[noreturn]] void throw_ncu_failure(const std::string& output, int status);

// Collects and imports; the target's argv starts with its executable. `workdir` holds the
// report. Returns the CSV text.
std::string run_ncu(const std::string& ncu, const std::vector<std::string>& target,
                    const std::string& workdir);

// Runs argv (argv[0] looked up on PATH) with stdout and stderr into `output`; returns the
// exit status, 128 + n on signal n, or -1 when it could not be started (`output` then says
// why). harness/io/timed_process.h runs it, in this process's group (a Ctrl-C ends it too).
// The output passes through a file in TMPDIR (else /tmp); std::filesystem::temp_directory_path
// throws when TMPDIR names no directory.
int run_process(const std::vector<std::string>& argv, std::string& output);

}  // namespace qgemv::profile
