#include "harness/cli/selection.h"

#include <sstream>

#include "harness/bench/model_preset.h"
#include "harness/cli/args.h"

namespace qgemv::cli {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  if (out.empty()) throw UsageError("empty selection '" + text + "'");
  return out;
}

namespace {

// Names from `text` ("all" for every known one), each resolved by `parse`.
template <typename T, typename Known, typename Parse, typename Name>
std::vector<T> select(const std::string& what, const std::string& text, const Known& known,
                      Parse parse, Name name) {
  if (text == "all") return std::vector<T>(std::begin(known), std::end(known));
  std::vector<T> out;
  for (const std::string& item : split_list(text)) {
    const std::optional<T> v = parse(item);
    if (!v) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + std::string(name(k));
      throw UsageError("unknown " + what + " '" + item + "'; known: " + list + " (or all)");
    }
    out.push_back(*v);
  }
  return out;
}

}  // namespace

std::vector<std::string> select_presets(const std::string& text) {
  std::vector<std::string> names;
  for (const auto& p : model_presets()) names.push_back(p.name);
  return select<std::string>(
      "preset", text, names,
      [&](const std::string& s) -> std::optional<std::string> {
        for (const auto& n : names)
          if (n == s) return n;
        return std::nullopt;
      },
      [](const std::string& s) { return s; });
}

std::vector<Path> select_paths(const std::string& text) {
  return select<Path>(
      "path", text, registered_paths(), [](const std::string& s) { return find_path(s); },
      [](Path p) { return std::string(path_name(p)); });
}

Path select_path(const std::string& name) {
  if (const std::optional<Path> p = find_path(name)) return *p;
  throw UsageError("unknown path '" + name + "'; known: " + path_names());
}

std::string path_names() {
  std::string out;
  for (Path p : registered_paths()) out += (out.empty() ? "" : ", ") + std::string(path_name(p));
  return out;
}

std::vector<TokenMode> select_modes(const std::string& text) {
  return select<TokenMode>(
      "mode", text, kAllTokenModes, [](const std::string& s) { return parse_mode(s); },
      [](TokenMode m) { return mode_name(m); });
}

std::vector<KernelTiming> select_kernel_timings(const std::string& text) {
  return select<KernelTiming>(
      "kernel timing", text, kAllKernelTimings,
      [](const std::string& s) { return parse_kernel_timing(s); },
      [](KernelTiming t) { return timing_name(t); });
}

SplitArgs split_benchmark_flags(int argc, char** argv) {
  SplitArgs s;
  s.own.push_back(argv[0]);
  s.benchmark.push_back(argv[0]);
  for (int i = 1; i < argc; ++i)
    (std::string(argv[i]).rfind("--benchmark_", 0) == 0 ? s.benchmark : s.own).push_back(argv[i]);
  return s;
}

}  // namespace qgemv::cli
