#pragma once
// A small command-line parser in Google Benchmark's style: --name=value or --name value,
// boolean --flags, and positional arguments. Unknown options, and positional arguments beyond
// what the command takes, are usage errors.
#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace qgemv::cli {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Args {
 public:
  // Parses argv[first..argc); `valued` options take a value, `flags` do not; at most
  // `max_positional` positional arguments are accepted (most commands take none).
  Args(int argc, char** argv, int first, std::set<std::string> valued, std::set<std::string> flags,
       size_t max_positional = 0);

  bool has(const std::string& name) const;
  std::optional<std::string> get(const std::string& name) const;
  std::string require(const std::string& name) const;
  int64_t get_int(const std::string& name, int64_t fallback) const;
  int64_t require_int(const std::string& name) const;
  uint64_t get_u64(const std::string& name, uint64_t fallback) const;
  double get_double(const std::string& name, double fallback) const;
  // The value, or the fallback when absent; a usage error naming the option and the range
  // when outside [lo, hi] (for doubles, also when not finite).
  int64_t get_int_in(const std::string& name, int64_t fallback, int64_t lo, int64_t hi) const;
  double get_double_in(const std::string& name, double fallback, double lo, double hi) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::vector<std::pair<std::string, std::string>> values_;
  std::set<std::string> flags_seen_;
  std::vector<std::string> positional_;
};

// "I/N" of --shard, whole numbers with 0 <= I < N ("1x/2y" must not run as 1/2): {I, N}, or a
// usage error naming the value.
std::pair<int, int> parse_shard(const std::string& text);

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;      // verification failed, or a real regression
inline constexpr int kExitUsage = 2;       // bad command line
inline constexpr int kExitNoDevice = 3;    // needs a CUDA device and there is none
inline constexpr int kExitBadInput = 4;    // unreadable or inconsistent files, bad shapes
inline constexpr int kExitNoCounters = 5;  // profile: no hardware counters (ncu, permission)
inline constexpr int kExitUnhealthy = 6;   // the GPU became unhealthy: no verdict

}  // namespace qgemv::cli
