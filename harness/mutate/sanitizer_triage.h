#pragma once
// Survivor triage under compute-sanitizer. A mutant that passes verify may still write one
// element past a shared array (inside the CTA's allocation, where no guard zone can be), race
// on shared memory or misuse a barrier, and no output shows it. So before a mutant is called a
// survivor, its verification runs again in one process (qgemv verify --no-isolate, the binary
// itself started again) under each tool in turn, on a few generated cases; the first tool that
// reports an error kills it and is named. A tool that is not clean on the unmutated kernel says
// nothing about a mutant: each tool runs on the unmutated instance first (once per instance) and
// is left out of that instance, with a note, if it is not clean there.
#include <map>
#include <string>
#include <vector>

namespace qgemv {

struct SanitizerOptions {
  // Tried in this order: memcheck (out-of-bounds and misaligned accesses to global, local and
  // shared memory), racecheck (shared-memory hazards), synccheck (barrier misuse), initcheck
  // (reads of uninitialized global memory).
  std::vector<std::string> tools = {"memcheck", "racecheck", "synccheck", "initcheck"};
  int64_t cases = 4;  // generated cases per tool run (no structured checks)
  // Their largest n: the tools slow a kernel down many times, and what they catch (an access
  // outside an array, a race, a barrier misused) shows in a few rows (scripts/gpu-check runs
  // memcheck with 300 and racecheck with 64).
  int64_t max_n = 256;
  double timeout_s = 300;  // one tool run; one that outlives it gives no verdict
  std::string path;        // compute-sanitizer; empty: find_sanitizer()
  bool off = false;        // no triage: survivors stay survivors, and the report says so
  // Where the tools' verdicts on the unmutated instances are kept, so that a run's shards (and a
  // later call's, given the same folder) check each instance once, not once per shard. Empty:
  // none kept. Not part of a run's identity: shards with and without it merge.
  std::string cache_dir;
};

// The tools compute-sanitizer has (--tool), so that a misspelt one is a usage error.
bool known_sanitizer_tool(const std::string& tool);

// compute-sanitizer from $CUDA_HOME/bin, the PATH, or /usr/local/cuda/bin; empty if none is
// there.
std::string find_sanitizer();

// What compute-sanitizer is asked to exit with when it reports an error (--error-exitcode):
// a status qgemv verify never exits with, as scripts/gpu-check asks.
inline constexpr int kSanitizerErrorExit = 9;

enum class ToolVerdict {
  kClean,         // the run passed and the tool reported nothing
  kError,         // the tool reported an error
  kVerifyFailed,  // verify failed under the tool (as it did not in the isolated run)
  kNoVerdict,     // it timed out, or ended another way (a crash, no device, a module refused)
};

struct ToolRun {
  ToolVerdict verdict = ToolVerdict::kNoVerdict;
  std::string detail;  // the tool's first error, verify's first failure, or why no verdict
  double seconds = 0;
};

// Runs `sanitizer --tool TOOL --error-exitcode 9 COMMAND...` (COMMAND: the executable and its
// arguments) with its output in `log`, for at most timeout_s, and reads the verdict from its
// exit status and output.
ToolRun run_under_tool(const std::string& sanitizer, const std::string& tool,
                       const std::vector<std::string>& command, double timeout_s,
                       const std::string& log);

struct Triage {
  std::string killed_by;  // the tool that caught the mutant, or empty
  std::string detail;     // its error; or what the tools said; or why no triage ran
  double seconds = 0;
};

class SanitizerTriage {
 public:
  // Tool logs go to log_dir. `cache_key` names what the unmutated instances' verdicts depend on
  // besides the instance and the tool (the kernel's source, qgemv's revision, the seed): a
  // verdict in opt.cache_dir is used only under the same key.
  SanitizerTriage(SanitizerOptions opt, std::string log_dir, std::string cache_key = "");
  // Empty when survivors are triaged; otherwise why they are not ("compute-sanitizer not found
  // ...", "off").
  const std::string& off() const { return off_; }
  const std::string& sanitizer() const { return path_; }
  // Tools left out of an instance, each with the reason.
  const std::vector<std::string>& notes() const { return notes_; }
  // `original` and `mutant`: the commands (executable first) that verify the unmutated and the
  // mutated instance in one process; `name` names the mutant's logs.
  Triage triage(const std::string& instance, const std::vector<std::string>& original,
                const std::vector<std::string>& mutant, const std::string& name);

 private:
  const std::vector<std::string>& tools_for(const std::string& instance,
                                            const std::vector<std::string>& original);
  // The cache file of an unmutated instance's verdict under a tool; "" without a cache.
  std::string cache_dir_file(const std::string& instance, const std::string& tool) const;
  SanitizerOptions opt_;
  std::string log_dir_, path_, off_, cache_key_;
  std::map<std::string, std::vector<std::string>> usable_;  // per instance
  std::vector<std::string> notes_;
};

}  // namespace qgemv
