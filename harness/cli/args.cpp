#include "harness/cli/args.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>

namespace qgemv::cli {
namespace {

template <typename T>
T parse_number(const std::string& name, const std::string& text) {
  T v{};
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc::result_out_of_range)
    throw UsageError("--" + name + " " + text + " is out of range (" +
                     std::to_string(std::numeric_limits<T>::min()) + " to " +
                     std::to_string(std::numeric_limits<T>::max()) + ")");
  if (ec != std::errc() || ptr != text.data() + text.size())
    throw UsageError("--" + name + " expects an integer, got '" + text + "'");
  return v;
}

std::string shown(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

}  // namespace

Args::Args(int argc, char** argv, int first, std::set<std::string> valued,
           std::set<std::string> flags, size_t max_positional) {
  for (int i = first; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--", 0) != 0 || a == "--") {
      if (positional_.size() == max_positional)
        throw UsageError("unexpected argument '" + a + "'" +
                         (max_positional == 0 ? " (this command takes options only)" : ""));
      positional_.push_back(a);
      continue;
    }
    const size_t eq = a.find('=');
    const std::string name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    if (flags.count(name)) {
      if (eq != std::string::npos) throw UsageError("--" + name + " takes no value");
      flags_seen_.insert(name);
    } else if (valued.count(name)) {
      if (eq != std::string::npos) {
        values_.emplace_back(name, a.substr(eq + 1));
      } else {
        if (i + 1 >= argc) throw UsageError("--" + name + " needs a value");
        values_.emplace_back(name, argv[++i]);
      }
    } else {
      throw UsageError("unknown option --" + name);
    }
  }
}

bool Args::has(const std::string& name) const {
  return flags_seen_.count(name) || get(name).has_value();
}

std::optional<std::string> Args::get(const std::string& name) const {
  std::optional<std::string> v;
  for (const auto& [n, value] : values_)
    if (n == name) v = value;  // the last one given wins
  return v;
}

std::string Args::require(const std::string& name) const {
  auto v = get(name);
  if (!v) throw UsageError("--" + name + " is required");
  return *v;
}

int64_t Args::get_int(const std::string& name, int64_t fallback) const {
  auto v = get(name);
  return v ? parse_number<int64_t>(name, *v) : fallback;
}

int64_t Args::require_int(const std::string& name) const {
  return parse_number<int64_t>(name, require(name));
}

uint64_t Args::get_u64(const std::string& name, uint64_t fallback) const {
  auto v = get(name);
  return v ? parse_number<uint64_t>(name, *v) : fallback;
}

double Args::get_double(const std::string& name, double fallback) const {
  auto v = get(name);
  if (!v) return fallback;
  try {
    size_t used = 0;
    const double d = std::stod(*v, &used);
    if (used == v->size()) return d;
  } catch (const std::out_of_range&) {
    throw UsageError("--" + name + " " + *v + " is out of range");
  } catch (const std::exception&) {
  }
  throw UsageError("--" + name + " expects a number, got '" + *v + "'");
}

int64_t Args::get_int_in(const std::string& name, int64_t fallback, int64_t lo, int64_t hi) const {
  const int64_t v = get_int(name, fallback);
  if (v < lo || v > hi)
    throw UsageError("--" + name + " must be between " + std::to_string(lo) + " and " +
                     std::to_string(hi) + ", got " + std::to_string(v));
  return v;
}

double Args::get_double_in(const std::string& name, double fallback, double lo, double hi) const {
  const double v = get_double(name, fallback);
  if (!std::isfinite(v) || v < lo || v > hi)
    throw UsageError("--" + name + " must be between " + shown(lo) + " and " + shown(hi) +
                     ", got " + get(name).value_or(shown(v)));
  return v;
}

std::pair<int, int> parse_shard(const std::string& text) {
  const auto whole = [](const std::string& t) -> int {
    int v = -1;
    const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    return ec == std::errc() && ptr == t.data() + t.size() ? v : -1;
  };
  const size_t slash = text.find('/');
  const int shard = whole(text.substr(0, slash));
  const int shards = slash == std::string::npos ? 0 : whole(text.substr(slash + 1));
  if (shards < 1 || shard < 0 || shard >= shards)
    throw UsageError("--shard expects I/N with 0 <= I < N, got '" + text + "'");
  return {shard, shards};
}

}  // namespace qgemv::cli
