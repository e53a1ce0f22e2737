#pragma once
// Writes a file through a temporary and a rename, so that a failed or interrupted run never
// leaves half a file under the real name, nor the temporary beside it. A symbolic link is
// written through (its target is replaced, the link stays), and a device or FIFO (/dev/null, a
// pipe) is written in place: renaming over either would replace the link or the device node
// with a plain file. Errors throw std::runtime_error naming the file and the system's reason.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace qgemv {
namespace detail {

// errno as set by the failed open or write; iostreams keep it but do not report it.
inline std::runtime_error write_error(const std::string& path, const std::string& what) {
  const int e = errno;
  return std::runtime_error(path + ": " + what + ": " + (e ? std::strerror(e) : "unknown error"));
}

}  // namespace detail

template <typename Write>
void write_file_atomically(const std::string& path, std::ios::openmode mode, Write&& write) {
  namespace fs = std::filesystem;
  if (path.empty()) throw std::runtime_error("cannot write a file with an empty name");
  std::error_code ec;
  fs::path target = path;
  // Followed one link at a time, so that a dangling link gets its target created.
  for (int hops = 0; fs::is_symlink(fs::symlink_status(target, ec)); ++hops) {
    const fs::path to = fs::read_symlink(target, ec);
    if (ec || hops == 40)
      throw std::runtime_error(
          path + ": cannot follow the symbolic link: " + (ec ? ec.message() : "too many levels"));
    target = to.is_absolute() ? to : target.parent_path() / to;
  }
  const fs::file_status st = fs::status(target, ec);
  if (fs::is_directory(st)) throw std::runtime_error(path + ": is a directory, not a file");
  errno = 0;
  if (fs::exists(st) && !fs::is_regular_file(st)) {
    std::ofstream os(target, mode | std::ios::out);
    if (!os) throw detail::write_error(path, "cannot open for writing");
    write(os);
    if (!os.flush()) throw detail::write_error(path, "write failed");
    return;
  }
  const std::string tmp = target.string() + ".partial";
  try {
    std::ofstream os(tmp, mode | std::ios::out | std::ios::trunc);
    if (!os) throw detail::write_error(path, "cannot create " + tmp);
    write(os);
    if (!os.flush()) throw detail::write_error(path, "write failed");
    os.close();
    if (!os) throw detail::write_error(path, "write failed");
    fs::rename(tmp, target, ec);
    if (ec) throw std::runtime_error(path + ": cannot rename from " + tmp + ": " + ec.message());
  } catch (...) {
    fs::remove(tmp, ec);
    throw;
  }
}

}  // namespace qgemv
