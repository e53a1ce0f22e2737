#include "harness/profile/profile_dir.h"

#include <filesystem>
#include <map>
#include <stdexcept>

#include "harness/io/read_whole_file.h"
#include "harness/profile/manifest.h"
#include "harness/profile/ncu_csv.h"
#include "harness/profile/sass_record.h"

namespace qgemv::profile {
namespace {

std::map<std::string, std::string> read_about(const std::string& path) {
  std::map<std::string, std::string> out;
  const std::string text = read_whole_file(path, 1 << 16);
  size_t at = 0;
  while (at < text.size()) {
    size_t nl = text.find('\n', at);
    if (nl == std::string::npos) nl = text.size();
    const std::string line = text.substr(at, nl - at);
    if (const size_t eq = line.find('='); eq != std::string::npos)
      out[line.substr(0, eq)] = line.substr(eq + 1);
    at = nl + 1;
  }
  return out;
}

}  // namespace

SavedProfile read_profile_dir(const std::string& dir) {
  const auto about = read_about(dir + "/about.txt");
  const auto value = [&](const char* key, const char* otherwise) {
    const auto it = about.find(key);
    return it != about.end() ? it->second : std::string(otherwise);
  };
  SavedProfile s;
  ProfileReport& r = s.report;
  r.subject = value("subject", "?");
  r.path = value("path", "-");
  r.suite = value("suite", "?");
  r.ncu_version = value("ncu", "ncu");
  // Each file's errors carry its name: "ncu's output" means nothing when reading a folder.
  const auto named = [](const std::string& file, auto&& read) {
    try {
      return read(read_whole_file(file));
    } catch (const std::exception& e) {
      throw std::runtime_error(file + ": " + e.what());
    }
  };
  const auto rows =
      named(dir + "/ncu.csv", [](const std::string& t) { return parse_ncu_raw_csv(t); });
  const auto manifest =
      named(dir + "/manifest.csv", [](const std::string& t) { return parse_manifest(t); });
  r.kernels = pair_rows(rows, manifest);
  if (std::filesystem::exists(dir + "/sass.csv")) {
    const auto sass =
        named(dir + "/sass.csv", [](const std::string& t) { return parse_sass_csv(t); });
    for (KernelCounters& c : r.kernels)
      if (const auto it = sass.find(c.kernel); it != sass.end()) c.sass = it->second;
  }
  if (r.kernels.empty())
    throw std::runtime_error(dir + ": no kernels profiled (ncu.csv and manifest.csv are empty)");
  s.missing_metrics = missing_metrics(rows.front());
  return s;
}

}  // namespace qgemv::profile
