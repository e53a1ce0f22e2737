#pragma once
// The one rule for every file qgemv writes (docs/OUTPUT_FILES.md), so that a recipe can be run
// again in the same folder: a named output that exists as a regular file the user may write is
// replaced, whole (harness/io/atomic_write.h); an output that is one of the command's inputs,
// a directory, a file the user may not write (refused as cp refuses it; rename alone would
// replace another user's read-only file), or in a folder the user cannot write, is refused
// before the command does any work. Header-only, like atomic_write.h, for the libraries (and
// fuzz targets) that link nothing else of harness/io.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace qgemv {

// An output name refused by the rule: a fault of the command line, not of a file's content. A
// logic_error, so that the wrappers that turn a failed write (a runtime_error) into their own
// file error pass it through untouched, and it stays a usage error (exit 2).
struct OutputFileError : std::logic_error {
  using std::logic_error::logic_error;
};

// Whether two names are one file: by device and inode when both exist (so that a link, a
// hard link or "./a.csv" is seen through), else by their absolute paths with links resolved.
inline bool same_file(const std::string& a, const std::string& b) {
  struct stat sa {
  }, sb{};
  const bool has_a = ::stat(a.c_str(), &sa) == 0, has_b = ::stat(b.c_str(), &sb) == 0;
  if (has_a && has_b) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  if (has_a || has_b) return false;
  std::error_code ea, eb;
  const auto ca = std::filesystem::weakly_canonical(std::filesystem::absolute(a), ea);
  const auto cb = std::filesystem::weakly_canonical(std::filesystem::absolute(b), eb);
  return !ea && !eb && ca == cb;
}

// Throws OutputFileError when the rule refuses `path`. `what` names it in the message (an
// option such as "--junit", or the command's own word for it); `inputs` are the files the
// command reads.
inline void check_output_file(const std::string& path, const std::vector<std::string>& inputs = {},
                              const std::string& what = "output") {
  namespace fs = std::filesystem;
  const std::string named = what + " " + path;
  if (path.empty()) throw OutputFileError(what + ": an empty file name");
  for (const std::string& in : inputs)
    if (same_file(path, in))
      throw OutputFileError(named + " is the input " + in + ": writing it would replace what " +
                            "is being read; name another file");
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw OutputFileError(named + ": is a directory, not a file");
    if (::access(path.c_str(), W_OK) != 0)
      throw OutputFileError(named + ": not writable (" + std::strerror(errno) +
                            "); qgemv replaces only files you may write");
    return;
  }
  // A new file (or a dangling link's target): its folder must take it.
  std::error_code ec;
  const fs::path dir = fs::weakly_canonical(fs::absolute(path), ec).parent_path();
  if (ec || !fs::is_directory(dir, ec))
    throw OutputFileError(named + ": no such directory " + dir.string());
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    throw OutputFileError(named + ": cannot create files in " + dir.string() + " (" +
                          std::strerror(errno) + ")");
}

// check_output_file for each (what, path) of a command, and no two of them one file: the
// second would replace the first.
inline void check_output_files(const std::vector<std::pair<std::string, std::string>>& outputs,
                               const std::vector<std::string>& inputs = {}) {
  for (size_t i = 0; i < outputs.size(); ++i) {
    check_output_file(outputs[i].second, inputs, outputs[i].first);
    for (size_t j = 0; j < i; ++j)
      if (same_file(outputs[i].second, outputs[j].second))
        throw OutputFileError(outputs[i].first + " " + outputs[i].second + " is also " +
                              outputs[j].first + ": one output would replace the other");
  }
}

}  // namespace qgemv
