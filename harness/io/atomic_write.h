#pragma once
// Writes a file through a temporary and a rename, so that a failed or interrupted run never
// leaves half a file under the real name, nor the temporary beside it. The temporary is a new
// file of a name no other writer holds (NAME.partial-XXXXXX, created exclusively, as mkstemp
// does), so that two runs writing one name never write into each other's temporary; the last
// rename wins, whole. A replaced file keeps its permission bits, as cp keeps them. A symbolic
// link is written through (its target is replaced, the link stays), and a device or FIFO
// (/dev/null, a pipe) is written in place: renaming over either would replace the link or the
// device node with a plain file. The name is first held to the output rule
// (harness/io/output_file.h); errors throw std::runtime_error naming the file and the system's
// reason.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>

#include "harness/io/output_file.h"

namespace qgemv {
namespace detail {

// errno as set by the failed open or write; iostreams keep it but do not report it.
inline std::runtime_error write_error(const std::string& path, const std::string& what) {
  const int e = errno;
  return std::runtime_error(path + ": " + what + ": " + (e ? std::strerror(e) : "unknown error"));
}

// Creates a new, empty file beside `target` and returns its name. Mode 0666 less the umask,
// as any new file gets, or `keep_mode` (the replaced file's) when given.
inline std::string create_temporary(const std::string& path, const std::filesystem::path& target,
                                    const struct stat* keep_mode) {
  thread_local std::mt19937_64 rng{std::random_device{}() ^ uint64_t(::getpid())};
  static constexpr char kLetters[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string tmp = target.string() + ".partial-";
    for (int i = 0; i < 6; ++i) tmp += kLetters[rng() % (sizeof kLetters - 1)];
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
      if (errno == EEXIST) continue;
      throw write_error(path, "cannot create " + tmp);
    }
    if (keep_mode) (void)::fchmod(fd, keep_mode->st_mode & 07777);
    ::close(fd);
    return tmp;
  }
  throw write_error(path, "cannot create a temporary beside it");
}

}  // namespace detail

template <typename Write>
void write_file_atomically(const std::string& path, std::ios::openmode mode, Write&& write) {
  namespace fs = std::filesystem;
  check_output_file(path);  // refuses an empty name too
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
  struct stat st {};
  const bool exists = ::stat(target.c_str(), &st) == 0;
  errno = 0;
  if (exists && !S_ISREG(st.st_mode)) {
    std::ofstream os(target, mode | std::ios::out);
    if (!os) throw detail::write_error(path, "cannot open for writing");
    write(os);
    if (!os.flush()) throw detail::write_error(path, "write failed");
    return;
  }
  const std::string tmp = detail::create_temporary(path, target, exists ? &st : nullptr);
  try {
    std::ofstream os(tmp, mode | std::ios::out | std::ios::trunc);
    if (!os) throw detail::write_error(path, "cannot open " + tmp);
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
