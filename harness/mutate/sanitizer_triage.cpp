#include "harness/mutate/sanitizer_triage.h"

#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "harness/io/atomic_write.h"
#include "harness/io/fnv1a.h"
#include "harness/io/read_whole_file.h"
#include "harness/io/timed_process.h"

namespace qgemv {
namespace {

namespace fs = std::filesystem;

// An instance's name as part of a log's file name.
std::string file_safe(std::string s) {
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  return s;
}

// A kept verdict: its first line, "" if there is none or it cannot be read.
std::string read_cached(const std::string& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return "";
  try {
    const std::string text = read_whole_file(file);
    return text.substr(0, text.find('\n'));
  } catch (const std::exception&) {
    return "";
  }
}

// Keeps a verdict for the run's other shards. A cache that cannot be written costs only time:
// the next shard checks the instance again.
void keep_cached(const std::string& file, const std::string& verdict) {
  try {
    std::error_code ec;
    fs::create_directories(fs::path(file).parent_path(), ec);
    write_file_atomically(file, std::ios::out, [&](std::ostream& os) { os << verdict << "\n"; });
  } catch (const std::exception&) {
  }
}

bool executable(const fs::path& p) {
  return ::access(p.c_str(), X_OK) == 0 && fs::is_regular_file(p);
}

// The first line of `log` that starts with `prefix`, without it; empty if none.
std::string first_line_with(const std::string& log, const std::string& prefix) {
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);)
    if (line.starts_with(prefix)) return line.substr(prefix.size());
  return {};
}

// compute-sanitizer's error headers are "========= " and a word; indented lines under them
// (a backtrace, the access's address) and its banner and summary are not errors.
std::string first_sanitizer_error(const std::string& log) {
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("========= ") || line.size() <= 10 || line[10] == ' ') continue;
    if (line.find("COMPUTE-SANITIZER") != std::string::npos ||
        line.find("ERROR SUMMARY") != std::string::npos)
      continue;
    return line.substr(10);
  }
  return "an error (see the log)";
}

std::string last_line(const std::string& log) {
  size_t end = log.find_last_not_of("\r\n");
  if (end == std::string::npos) return {};
  const size_t start = log.rfind('\n', end);
  return log.substr(start == std::string::npos ? 0 : start + 1,
                    end - (start == std::string::npos ? 0 : start + 1) + 1);
}

const char* said(ToolVerdict v) {
  switch (v) {
    case ToolVerdict::kClean:
      return "clean";
    case ToolVerdict::kError:
      return "reported an error";
    case ToolVerdict::kVerifyFailed:
      return "verify failed";
    case ToolVerdict::kNoVerdict:
      return "no verdict";
  }
  return "?";
}

}  // namespace

bool known_sanitizer_tool(const std::string& tool) {
  return tool == "memcheck" || tool == "racecheck" || tool == "synccheck" || tool == "initcheck";
}

std::string find_sanitizer() {
  std::vector<fs::path> candidates;
  if (const char* home = std::getenv("CUDA_HOME"))
    candidates.push_back(fs::path(home) / "bin" / "compute-sanitizer");
  if (const char* path = std::getenv("PATH")) {
    std::istringstream dirs(path);
    for (std::string d; std::getline(dirs, d, ':');)
      if (!d.empty()) candidates.push_back(fs::path(d) / "compute-sanitizer");
  }
  candidates.push_back("/usr/local/cuda/bin/compute-sanitizer");
  for (const fs::path& c : candidates)
    if (executable(c)) return c.string();
  return {};
}

ToolRun run_under_tool(const std::string& sanitizer, const std::string& tool,
                       const std::vector<std::string>& command, double timeout_s,
                       const std::string& log) {
  std::vector<std::string> argv = {sanitizer, "--tool", tool, "--error-exitcode",
                                   std::to_string(kSanitizerErrorExit)};
  argv.insert(argv.end(), command.begin(), command.end());
  const auto t0 = std::chrono::steady_clock::now();
  const ProcessEnd end = run_with_deadline(argv, log, timeout_s);
  ToolRun r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!end.error.empty()) {
    r.detail = "cannot start " + sanitizer + ": " + end.error;
    return r;
  }
  if (end.timed_out) {
    r.detail = "ended after " + std::to_string(int(timeout_s)) + " s without a verdict";
    return r;
  }
  std::string text;
  try {
    text = read_whole_file(log);
  } catch (const std::exception&) {
  }
  if (end.exit_code == kSanitizerErrorExit) {
    r.verdict = ToolVerdict::kError;
    r.detail = first_sanitizer_error(text);
  } else if (end.exit_code == 0) {
    r.verdict = ToolVerdict::kClean;
  } else if (end.exit_code == 1 && !first_line_with(text, "FAIL ").empty()) {
    // verify's exit for failed checks, with the failures it printed.
    r.verdict = ToolVerdict::kVerifyFailed;
    r.detail = first_line_with(text, "FAIL ");
  } else {
    r.detail = "exit " + std::to_string(end.exit_code) + ": " + last_line(text);
  }
  return r;
}

std::string SanitizerTriage::cache_dir_file(const std::string& instance,
                                            const std::string& tool) const {
  if (opt_.cache_dir.empty()) return "";
  const std::string key = cache_key_ + "\n" + instance + "\n" + tool + "\n" + path_ + "\n" +
                          std::to_string(opt_.cases) + "\n" + std::to_string(opt_.max_n);
  char name[40];
  std::snprintf(name, sizeof name, "%016llx.verdict", static_cast<unsigned long long>(fnv1a(key)));
  return (fs::path(opt_.cache_dir) / name).string();
}

SanitizerTriage::SanitizerTriage(SanitizerOptions opt, std::string log_dir, std::string cache_key)
    : opt_(std::move(opt)), log_dir_(std::move(log_dir)), cache_key_(std::move(cache_key)) {
  if (opt_.off) {
    off_ = "off (--sanitizer off)";
    return;
  }
  path_ = opt_.path.empty() ? find_sanitizer() : opt_.path;
  if (path_.empty() || !executable(path_))
    off_ = "compute-sanitizer not found (" +
           (opt_.path.empty() ? std::string("$CUDA_HOME/bin, the PATH, /usr/local/cuda/bin")
                              : opt_.path) +
           "): survivors are not triaged";
  if (!off_.empty()) path_.clear();
  std::error_code ec;
  fs::create_directories(log_dir_, ec);
}

const std::vector<std::string>& SanitizerTriage::tools_for(
    const std::string& instance, const std::vector<std::string>& original) {
  if (const auto it = usable_.find(instance); it != usable_.end()) return it->second;
  std::vector<std::string>& usable = usable_[instance];
  for (const std::string& tool : opt_.tools) {
    // "clean", or the note that leaves the tool out: from the cache, or from a run kept there.
    const std::string cached = cache_dir_file(instance, tool);
    std::string verdict = cached.empty() ? "" : read_cached(cached);
    if (verdict.empty()) {
      const ToolRun r = run_under_tool(
          path_, tool, original, opt_.timeout_s,
          (fs::path(log_dir_) / ("unmutated-" + file_safe(instance) + "-" + tool + ".log"))
              .string());
      verdict = r.verdict == ToolVerdict::kClean
                    ? "clean"
                    : tool + " left out of " + instance + ": on the unmutated kernel, " +
                          said(r.verdict) + (r.detail.empty() ? "" : " (" + r.detail + ")");
      // A run that gave no verdict (a timeout, a crash) may give one next time: not kept.
      if (!cached.empty() && r.verdict != ToolVerdict::kNoVerdict) keep_cached(cached, verdict);
    }
    if (verdict == "clean")
      usable.push_back(tool);
    else
      notes_.push_back(verdict);
  }
  return usable;
}

Triage SanitizerTriage::triage(const std::string& instance,
                               const std::vector<std::string>& original,
                               const std::vector<std::string>& mutant, const std::string& name) {
  Triage t;
  if (!off_.empty()) {
    t.detail = "not triaged: sanitizer " + off_;
    return t;
  }
  const std::vector<std::string>& tools = tools_for(instance, original);
  if (tools.empty()) {
    t.detail = "not triaged: no tool is clean on the unmutated kernel";
    return t;
  }
  std::string results;
  for (const std::string& tool : tools) {
    const ToolRun r = run_under_tool(path_, tool, mutant, opt_.timeout_s,
                                     (fs::path(log_dir_) / (name + "-" + tool + ".log")).string());
    t.seconds += r.seconds;
    if (r.verdict == ToolVerdict::kError || r.verdict == ToolVerdict::kVerifyFailed) {
      t.killed_by = tool;
      t.detail = r.verdict == ToolVerdict::kError ? r.detail
                                                  : "verify failed under " + tool + ": " + r.detail;
      return t;
    }
    results += (results.empty() ? "" : ", ") + tool + " " + said(r.verdict) +
               (r.verdict == ToolVerdict::kNoVerdict ? " (" + r.detail + ")" : "");
  }
  t.detail = "under compute-sanitizer: " + results;
  return t;
}

}  // namespace qgemv
