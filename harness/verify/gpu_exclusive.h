#pragma once
// One process at a time runs kernels that may fault on a GPU. A single qgemv process whose
// kernels fault leaves the GPU healthy (results/h100/fault-safety/), but seven `qgemv mutate`
// processes faulting side by side on one H100 left it in an error state that only a reset
// clears (results/h100/fault-safety/parallel-mutate.md): so such runs take an advisory lock
// named after the GPU, and a second one waits for the first. The lock is a flock(2) on a file
// whose descriptor the holder's children inherit, so it is released when the holder and every
// process it started have exited, however they exit.
#include <optional>
#include <ostream>
#include <string>

namespace qgemv {

class GpuExclusive {
 public:
  GpuExclusive(GpuExclusive&& o) noexcept;
  GpuExclusive& operator=(GpuExclusive&&) = delete;
  GpuExclusive(const GpuExclusive&) = delete;
  ~GpuExclusive();

  // Takes the lock named `key` in `dir` (created if missing). When another process holds it,
  // says so on `note` (with the holder's pid, read from the file) and waits when `wait`
  // (saying so again every minute), or returns nullopt. Throws std::runtime_error when the
  // file cannot be opened or locked.
  static std::optional<GpuExclusive> acquire(const std::string& key, const std::string& dir,
                                             bool wait, std::ostream& note);

  const std::string& path() const { return path_; }

 private:
  GpuExclusive(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

// The lock's directory: $QGEMV_LOCK_DIR (an absolute path; std::runtime_error otherwise), else
// /tmp (one per machine, as the GPUs are).
std::string gpu_lock_dir();

// The lock's key for CUDA device `device`: its PCI bus id, which every process on the machine
// sees alike whatever CUDA_VISIBLE_DEVICES says. Throws std::runtime_error when CUDA cannot
// name it.
std::string gpu_lock_key(int device);

}  // namespace qgemv
