#include "harness/cli/paths_lib_args.h"

namespace qgemv::cli {

const PathsLibrary* paths_library_arg(const Args& args) {
  const auto file = args.get(kPathsLibOption);
  if (!file) return nullptr;
  return &load_paths_library(*file);
}

}  // namespace qgemv::cli
