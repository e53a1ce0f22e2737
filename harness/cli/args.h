#pragma once
// A small command-line parser in Google Benchmark's style: --name=value or --name value,
// boolean --flags, and positional arguments. Unknown options are usage errors.
#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace qgemv::cli {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Args {
 public:
  // Parses argv[first..argc); `valued` options take a value, `flags` do not.
  Args(int argc, char** argv, int first, std::set<std::string> valued, std::set<std::string> flags);

  bool has(const std::string& name) const;
  std::optional<std::string> get(const std::string& name) const;
  std::string require(const std::string& name) const;
  int64_t get_int(const std::string& name, int64_t fallback) const;
  int64_t require_int(const std::string& name) const;
  uint64_t get_u64(const std::string& name, uint64_t fallback) const;
  double get_double(const std::string& name, double fallback) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::vector<std::pair<std::string, std::string>> values_;
  std::set<std::string> flags_seen_;
  std::vector<std::string> positional_;
};

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;    // verification failed, or a real regression
inline constexpr int kExitUsage = 2;     // bad command line
inline constexpr int kExitNoDevice = 3;  // needs a CUDA device and there is none
inline constexpr int kExitBadInput = 4;  // unreadable or inconsistent files, bad shapes

}  // namespace qgemv::cli
