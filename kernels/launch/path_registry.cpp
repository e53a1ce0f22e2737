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
  static const std::vector<Path> paths = [] {
    std::vector<Path> out;
    for (const PathInfo* row : builtin_table()) out.emplace_back(*row);
    return out;
  }();
  return paths;
}

const std::vector<Path>& registered_paths() { return registry(); }

Path register_path(const PathInfo& info) {
  if (info.name.empty() || info.launch == nullptr || info.shape == nullptr ||
      info.kernel_name == nullptr)
    throw std::invalid_argument("path '" + std::string(info.name) +
                                "' needs a name, a launch shape, a launch and a kernel name");
  // Only q8_quantize's output carries a chosen convention for s; a kernel that quantizes f32
  // itself sums x, and the reference must not be told otherwise.
  if (info.q8_sum != Q8Sum::kSumOfX && info.input != Activation::kQ8_1)
    throw std::invalid_argument("path '" + std::string(info.name) +
                                "' sets q8_sum but does not read q8_quantize's Q8_1 blocks");
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
