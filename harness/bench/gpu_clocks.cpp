#include "harness/bench/gpu_clocks.h"

#include <cuda_runtime_api.h>

#include <array>
#include <csignal>
#include <stdexcept>

#include "harness/executor/cuda_check.h"
#include "harness/verify/nvml_device.h"

namespace qgemv {
namespace {

using nvml::kClockMem;
using nvml::kClockSm;
const nvml::Api& lib() { return nvml::api(); }

// The device whose clocks are locked, for the signal handler to unlock before the process
// dies; clocks left locked would outlive the run.
nvml::Device g_locked_device = nullptr;

void unlock_on_signal(int sig) {
  if (g_locked_device) {
    lib().reset_gpu(g_locked_device);
    lib().reset_mem(g_locked_device);
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

}  // namespace

std::string throttle_reason_names(uint64_t reasons) {
  std::string out;
  for (const auto& [bit, name] : kThrottleReasonNames)
    if (reasons & bit) {
      if (!out.empty()) out += '|';
      out += name;
    }
  return out.empty() ? "none" : out;
}

std::unique_ptr<GpuClocks> GpuClocks::open(int cuda_device, std::string& why) {
  const nvml::Device device = nvml::device_of_cuda(cuda_device, why);
  if (device == nullptr) return nullptr;
  return std::unique_ptr<GpuClocks>(new GpuClocks(device));
}

GpuClocks::~GpuClocks() { unlock(); }

ClockReading GpuClocks::read() const {
  ClockReading c;
  unsigned long long reasons = 0;
  // A failed read leaves zeros: "not read", never a made-up clock.
  if (lib().clock(device_, kClockSm, &c.sm_mhz) != nvml::kSuccess) c.sm_mhz = 0;
  if (lib().clock(device_, kClockMem, &c.mem_mhz) != nvml::kSuccess) c.mem_mhz = 0;
  if (lib().reasons(device_, &reasons) == nvml::kSuccess) c.reasons = reasons;
  return c;
}

void GpuClocks::lock() {
  unsigned sm = 0, mem = 0;
  nvml::Return r = lib().default_app_clock(device_, kClockSm, &sm);
  if (r == nvml::kSuccess) r = lib().max_clock(device_, kClockMem, &mem);
  if (r != nvml::kSuccess)
    throw std::runtime_error("--lock-clocks: cannot read the clocks to lock to: " +
                             nvml::error_text(r));
  if (r = lib().lock_gpu(device_, sm, sm); r != nvml::kSuccess)
    throw std::runtime_error("--lock-clocks: locking the SM clock at " + std::to_string(sm) +
                             " MHz failed: " + nvml::error_text(r) + " (it needs root)");
  locked_ = true;
  locked_sm_mhz_ = sm;
  g_locked_device = device_;
  std::signal(SIGINT, unlock_on_signal);
  std::signal(SIGTERM, unlock_on_signal);
  // HBM parts run one memory clock and answer "not supported": nothing to lock there.
  constexpr nvml::Return kNotSupported = 3;
  if (r = lib().lock_mem(device_, mem, mem); r != nvml::kSuccess && r != kNotSupported) {
    unlock();
    throw std::runtime_error("--lock-clocks: locking the memory clock at " + std::to_string(mem) +
                             " MHz failed: " + nvml::error_text(r));
  }
}

void GpuClocks::unlock() {
  if (!locked_) return;
  lib().reset_gpu(device_);
  lib().reset_mem(device_);
  locked_ = false;
  g_locked_device = nullptr;
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

double sm_mhz_now(const GpuClocks* clocks, int cuda_device) {
  if (const double mhz = clocks ? clocks->read().sm_mhz : 0; mhz > 0) return mhz;
  int khz = 0;
  QGEMV_CUDA(cudaDeviceGetAttribute(&khz, cudaDevAttrClockRate, cuda_device));
  return khz / 1e3;
}

}  // namespace qgemv
