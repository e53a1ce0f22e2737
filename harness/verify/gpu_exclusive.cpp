#include "harness/verify/gpu_exclusive.h"

#include <cuda_runtime.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

namespace qgemv {
namespace {

std::string holder_of(int fd) {
  char buf[32] = {};
  const ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  std::string s = n > 0 ? std::string(buf, size_t(n)) : std::string();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s.empty() ? "unknown" : s;
}

std::runtime_error lock_error(const std::string& what, const std::string& path, int err) {
  return std::runtime_error(what + " " + path + ": " + std::strerror(err) +
                            " (the directory is $QGEMV_LOCK_DIR, default /tmp)");
}

// The file opened for locking, created by the first run. Not close-on-exec: the verify
// workers and sanitizer runs this process starts inherit the descriptor, so the lock lasts
// until the last of them has gone (a worker stuck in the driver outlives its parent). Created
// with O_EXCL and then made writable for every user, since umask would narrow 0666 and a
// protected /tmp refuses O_CREAT on another user's file; a file another user made read-only is
// locked through a read-only descriptor (flock works on one; the holder's pid is then not
// written). Returns the descriptor and whether it is writable.
std::pair<int, bool> open_lock_file(const std::string& path) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    int fd = open(path.c_str(), O_RDWR);
    if (fd >= 0) return {fd, true};
    if (errno == EACCES) {
      fd = open(path.c_str(), O_RDONLY);
      if (fd >= 0) return {fd, false};
      throw lock_error("cannot open the GPU lock", path, errno);
    }
    if (errno != ENOENT) throw lock_error("cannot open the GPU lock", path, errno);
    fd = open(path.c_str(), O_RDWR | O_CREAT | O_EXCL, 0666);
    if (fd >= 0) {
      (void)fchmod(fd, 0666);
      return {fd, true};
    }
    if (errno != EEXIST) throw lock_error("cannot create the GPU lock", path, errno);
  }
  throw std::runtime_error("cannot open the GPU lock " + path + ": it keeps disappearing");
}

// Whether `fd` is still the file at `path`: a lock on a file someone deleted locks nothing.
bool still_linked(int fd, const std::string& path) {
  struct stat a {
  }, b{};
  return fstat(fd, &a) == 0 && stat(path.c_str(), &b) == 0 && a.st_dev == b.st_dev &&
         a.st_ino == b.st_ino;
}

}  // namespace

GpuExclusive::GpuExclusive(GpuExclusive&& o) noexcept : fd_(o.fd_), path_(std::move(o.path_)) {
  o.fd_ = -1;
}

GpuExclusive::~GpuExclusive() {
  if (fd_ >= 0) close(fd_);  // the flock ends with the last descriptor, children's included
}

std::optional<GpuExclusive> GpuExclusive::acquire(const std::string& key, const std::string& dir,
                                                  bool wait, std::ostream& note) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::string name = "qgemv-gpu-exclusive-" + key + ".lock";
  for (char& c : name)
    if (c == '/' || c == ':') c = '_';
  const std::string path = (std::filesystem::path(dir) / name).string();
  const auto start = std::chrono::steady_clock::now();
  bool said = false;
  double next_note_s = 60;
  for (;;) {
    const auto [fd, writable] = open_lock_file(path);
    GpuExclusive lock(fd, path);
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
      if (!still_linked(fd, path)) continue;  // deleted under us: take the new file's lock
      if (writable) {
        const std::string pid = std::to_string(getpid()) + "\n";
        if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) != ssize_t(pid.size()))
          throw lock_error("cannot write the holder's pid to", path, errno);
      }
      return lock;
    }
    if (errno != EWOULDBLOCK) throw lock_error("cannot lock", path, errno);
    const double waited =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!said || waited >= next_note_s) {
      note << "another process (pid " << holder_of(fd) << ") runs kernels that may fault on GPU "
           << key << " (" << path << ")";
      if (!wait) {
        note << "\n" << std::flush;
        return std::nullopt;
      }
      note << (said ? "; still waiting after " + std::to_string(int(waited)) + " s" +
                          " (a process stuck in the driver holds it until the GPU is reset)\n"
                    : "; waiting for it to end\n")
           << std::flush;
      if (said) next_note_s += 60;
      said = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::string gpu_lock_dir() {
  const char* d = std::getenv("QGEMV_LOCK_DIR");
  if (!d || !*d) return "/tmp";
  // A relative folder would name another lock from every working directory.
  if (d[0] != '/')
    throw std::runtime_error(std::string("QGEMV_LOCK_DIR must be an absolute path, got ") + d);
  return d;
}

std::string gpu_lock_key(int device) {
  char bus[64] = {};
  const cudaError_t e = cudaDeviceGetPCIBusId(bus, int(sizeof bus), device);
  if (e != cudaSuccess) {
    (void)cudaGetLastError();
    throw std::runtime_error("cannot read the PCI bus id of CUDA device " + std::to_string(device) +
                             ": " + cudaGetErrorString(e));
  }
  return bus;
}

}  // namespace qgemv
