#include "harness/profile/ncu_driver.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "harness/io/read_whole_file.h"
#include "harness/io/timed_process.h"
#include "harness/profile/kernel_counters.h"

namespace qgemv::profile {
namespace {

// ncu's own report sections. The warp-stall counters come only from WarpStateStats: their
// names differ between ncu versions (kernel_counters.cpp reads either family), so --metrics
// cannot name them. Every other metric read is named in --metrics as well, so that none rests
// on which section of which ncu version happens to collect it.
constexpr const char* kSections[] = {"SpeedOfLight", "MemoryWorkloadAnalysis", "Occupancy",
                                     "LaunchStats",  "SchedulerStats",         "WarpStateStats"};

std::string comma_joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

bool contains(const std::string& s, const char* t) { return s.find(t) != std::string::npos; }

std::string tail(const std::string& s, size_t n) {
  return s.size() <= n ? s : "..." + s.substr(s.size() - n);
}

}  // namespace

int run_process(const std::vector<std::string>& argv, std::string& output) {
  // Where make_workdir (cmd_profile.cpp) puts ncu's report: TMPDIR when set, as users expect.
  std::string path = (std::filesystem::temp_directory_path() / "qgemv-profile-XXXXXX").string();
  const int fd = mkstemp(path.data());
  if (fd < 0) return -1;
  close(fd);
  // In this process's group: ncu runs for minutes, and a Ctrl-C must end it too.
  const ProcessEnd end = run_with_deadline(argv, path, 0, /*own_group=*/false);
  output = end.error.empty() ? read_whole_file(path) : end.error;  // why it did not start
  unlink(path.c_str());
  return end.error.empty() ? end.exit_code : -1;
}

NcuTool find_ncu(const std::string& requested) {
  std::vector<std::string> candidates;
  if (!requested.empty())
    candidates = {requested};
  else
    candidates = {"ncu", "/usr/local/cuda/bin/ncu"};
  for (const std::string& c : candidates) {
    std::string out;
    if (run_process({c, "--version"}, out) == 0) {
      while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
      const size_t nl = out.rfind('\n');
      return {c, "ncu " + (nl == std::string::npos ? out : out.substr(nl + 1))};
    }
  }
  throw CountersUnavailable(
      "no hardware counters: Nsight Compute (" +
      (requested.empty() ? std::string("ncu on PATH or /usr/local/cuda/bin/ncu") : requested) +
      ") cannot be run; install it with the CUDA toolkit or name it with --ncu");
}

std::vector<std::string> ncu_collect_argv(const std::string& ncu, const std::string& report,
                                          const std::vector<std::string>& target) {
  std::vector<std::string> a = {ncu,    "--clock-control",      "none", "--cache-control",
                                "all",  "--profile-from-start", "off",  "--export",
                                report, "--force-overwrite"};
  for (const char* s : kSections) {
    a.push_back("--section");
    a.push_back(s);
  }
  a.push_back("--metrics");
  a.push_back(comma_joined(collected_metrics()));
  a.push_back("--");
  a.insert(a.end(), target.begin(), target.end());
  return a;
}

std::vector<std::string> ncu_import_argv(const std::string& ncu, const std::string& report) {
  return {ncu, "--import", report + ".ncu-rep", "--csv", "--page", "raw", "--print-units", "base"};
}

void throw_ncu_failure(const std::string& output, int status) {
  if (contains(output, "ERR_NVGPUCTRPERM"))
    throw CountersUnavailable(
        "no hardware counters: this user may not read the GPU's performance counters "
        "(ERR_NVGPUCTRPERM); run as root or allow them (NVreg_RestrictProfilingToAdminUsers=0)");
  // "No kernels were profiled" also follows a target that died before its first kernel; only
  // with a clean exit and no ncu error is it the missing counters, else it is a failure.
  const bool clean = status == 0 && !contains(output, "==ERROR==");
  if (contains(output, "no CUDA device") || contains(output, "CUDA_ERROR_NO_DEVICE") ||
      (clean && contains(output, "No kernels were profiled")))
    throw CountersUnavailable("no hardware counters: ncu profiled no kernel (" + tail(output, 400) +
                              ")");
  throw NcuFailed("ncu failed (exit " + std::to_string(status) + "): " + tail(output, 1500));
}

std::string run_ncu(const std::string& ncu, const std::vector<std::string>& target,
                    const std::string& workdir) {
  const std::string report = workdir + "/profile";
  std::string out;
  const int status = run_process(ncu_collect_argv(ncu, report, target), out);
  if (status != 0 || contains(out, "==ERROR==") || contains(out, "No kernels were profiled"))
    throw_ncu_failure(out, status);
  std::string csv;
  const int import_status = run_process(ncu_import_argv(ncu, report), csv);
  if (import_status != 0) throw_ncu_failure(csv, import_status);
  return csv;
}

}  // namespace qgemv::profile
