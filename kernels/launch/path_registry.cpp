#include "kernels/launch/path_registry.h"

#include <stdexcept>
#include <string>

namespace qgemv {
namespace {

std::vector<Path>& registry() {
  static std::vector<Path> paths = builtin_paths();
  return paths;
}

}  // namespace

const std::vector<Path>& builtin_paths() {
  static const std::vector<Path> paths = {Path::kQ4K,   Path::kTiled, Path::kChunked, Path::kDp4a,
                                          Path::kQ4KQ8, Path::kMwv,   Path::kMwvQ8};
  return paths;
}

const std::vector<Path>& registered_paths() { return registry(); }

Path register_path(const PathInfo& info) {
  if (info.name.empty() || info.launch == nullptr || info.shape == nullptr ||
      info.kernel_name == nullptr)
    throw std::invalid_argument("path '" + std::string(info.name) +
                                "' needs a name, a launch shape, a launch and a kernel name");
  if (find_path(info.name))
    throw std::invalid_argument("a path named '" + std::string(info.name) + "' exists already");
  registry().emplace_back(info);
  return registry().back();
}

std::optional<Path> find_path(std::string_view name) {
  for (Path p : registry())
    if (p->name == name) return p;
  return std::nullopt;
}

}  // namespace qgemv
