#include "harness/cli/ab_gate.h"

#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <stdexcept>

#include "harness/cli/args.h"
#include "harness/io/atomic_write.h"
#include "harness/io/junit_xml.h"
#include "harness/results/ab_combine.h"
#include "harness/results/ab_gate_report.h"
#include "harness/results/ab_rows.h"

extern char** environ;

namespace qgemv::cli {
namespace {

// Starts this executable with `args` and `index` in its environment, its output and errors
// the gate's own, and waits for it: its exit code, or 128 + the signal that ended it.
int run_process(const std::vector<std::string>& args, int index) {
  const std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
  std::vector<std::string> words = {exe};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_words = {std::string(kAbProcessEnv) + "=" + std::to_string(index)};
  for (char** e = environ; *e != nullptr; ++e)
    if (!std::string_view(*e).starts_with(std::string(kAbProcessEnv) + "="))
      env_words.emplace_back(*e);
  std::vector<char*> env;
  for (auto& e : env_words) env.push_back(e.data());
  env.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, exe.c_str(), nullptr, nullptr, argv.data(), env.data());
  if (rc != 0)
    throw std::runtime_error("bench: cannot start an A/B process from " + exe + ": " +
                             std::strerror(rc));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      throw std::runtime_error(std::string("bench: waitpid: ") + std::strerror(errno));
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

std::optional<int> ab_process_index() {
  const char* v = std::getenv(kAbProcessEnv);
  if (!v) return std::nullopt;
  char* end = nullptr;
  const long i = std::strtol(v, &end, 10);
  if (end == v || *end != '\0' || i < 0 || i > 1000)
    throw std::runtime_error(std::string(kAbProcessEnv) + "=" + v + " is not a process index");
  return int(i);
}

std::string ab_process_file(const std::string& out, int index) {
  const std::filesystem::path p(out);
  return (p.parent_path() /
          (p.stem().string() + ".process-" + std::to_string(index + 1) + p.extension().string()))
      .string();
}

int run_ab_gate(const AbGateRequest& r) {
  std::vector<std::vector<AbRow>> processes;
  int failed = 0;
  for (int i = 0; i < r.processes; ++i) {
    const std::string file = ab_process_file(r.out, i);
    std::filesystem::remove(file);  // a stale file must not pass for this process's rows
    std::vector<std::string> args = r.bench_args;
    args.insert(args.end(), {"--out", file});  // the last --out given wins
    std::cerr << "qgemv bench: A/B process " << i + 1 << " of " << r.processes << "\n";
    const int rc = run_process(args, i);
    if (rc != kExitOk && rc != kExitFailed) {
      std::cerr << "qgemv bench: A/B process " << i + 1 << " ended with "
                << (rc > 128 ? "signal " + std::to_string(rc - 128) : "exit " + std::to_string(rc))
                << "; the gate stops\n";
      return rc > 128 ? kExitFailed : rc;
    }
    if (rc == kExitFailed) ++failed;
    if (std::filesystem::exists(file)) processes.push_back(read_ab_csv(file));
  }
  if (processes.empty()) {
    std::cerr << "qgemv bench: A/B: no process wrote rows\n";
    return kExitFailed;
  }
  const AbCombined combined = combine_ab_processes(processes);
  write_file_atomically(r.out, std::ios::out | std::ios::trunc,
                        [&](std::ostream& f) { f << ab_rows_csv(combined.rows); });
  const std::string table = ab_markdown(combined.rows);
  if (r.markdown)
    write_file_atomically(*r.markdown, std::ios::out | std::ios::trunc,
                          [&](std::ostream& f) { f << table; });
  if (r.junit) write_junit_xml(*r.junit, "qgemv bench --ab-base", ab_junit_cases(combined.rows));
  std::map<AbVerdict, int> counts;
  for (const AbRow& row : combined.rows) ++counts[row.verdict];
  std::cout << "\n" << table;
  for (const std::string& key : combined.incomplete)
    std::cerr << "qgemv bench: A/B: " << key << " failed in some process (ambiguous)\n";
  std::cerr << "qgemv bench: A/B gate over " << r.processes << " processes wrote "
            << combined.rows.size() << " rows to " << r.out << " (each process's beside it)"
            << (failed ? "; cases failed in " + std::to_string(failed) + " processes" : "") << "\n";
  return counts[AbVerdict::kSlower] == 0 && failed == 0 ? kExitOk : kExitFailed;
}

}  // namespace qgemv::cli
