#include "harness/verify/gpu_exclusive.h"

#include <cuda_runtime.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace qgemv {
namespace {

std::string holder_of(int fd) {
  char buf[32] = {};
  const ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  std::string s = n > 0 ? std::string(buf, size_t(n)) : std::string();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s.empty() ? "unknown" : s;
}

std::runtime_error lock_error(const std::string& what, const std::string& path) {
  return std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

GpuExclusive::GpuExclusive(GpuExclusive&& o) noexcept : fd_(o.fd_), path_(std::move(o.path_)) {
  o.fd_ = -1;
}

GpuExclusive::~GpuExclusive() {
  if (fd_ >= 0) close(fd_);  // releases the flock
}

std::optional<GpuExclusive> GpuExclusive::acquire(const std::string& key, const std::string& dir,
                                                  bool wait, std::ostream& note) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::string name = "qgemv-gpu-exclusive-" + key + ".lock";
  for (char& c : name)
    if (c == '/' || c == ':') c = '_';
  const std::string path = (std::filesystem::path(dir) / name).string();
  // 0666 so that another user's run on the same machine can take it after this one.
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) throw lock_error("cannot open the GPU lock", path);
  GpuExclusive lock(fd, path);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) throw lock_error("cannot lock", path);
    note << "another process (pid " << holder_of(fd) << ") runs kernels that may fault on GPU "
         << key << " (" << path << ")" << (wait ? "; waiting for it to end\n" : "\n") << std::flush;
    if (!wait) return std::nullopt;
    while (flock(fd, LOCK_EX) != 0)
      if (errno != EINTR) throw lock_error("cannot lock", path);
  }
  const std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) != ssize_t(pid.size()))
    throw lock_error("cannot write the holder's pid to", path);
  return lock;
}

std::string gpu_lock_dir() {
  const char* d = std::getenv("QGEMV_LOCK_DIR");
  return d && *d ? d : "/tmp";
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
