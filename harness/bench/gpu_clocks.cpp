#include "harness/bench/gpu_clocks.h"

#include <cuda_runtime_api.h>
#include <dlfcn.h>

#include <array>
#include <csignal>
#include <stdexcept>

#include "harness/executor/cuda_check.h"

namespace qgemv {
namespace {

// The few NVML declarations used, from NVML's documented C ABI (nvml.h is not part of the
// toolkit packages this builds with).
using NvmlReturn = int;
using NvmlDevice = void*;
constexpr NvmlReturn kNvmlSuccess = 0;
constexpr int kClockSm = 1, kClockMem = 2;

struct Nvml {
  NvmlReturn (*init)() = nullptr;
  NvmlReturn (*by_pci_bus_id)(const char*, NvmlDevice*) = nullptr;
  NvmlReturn (*clock)(NvmlDevice, int, unsigned*) = nullptr;
  NvmlReturn (*max_clock)(NvmlDevice, int, unsigned*) = nullptr;
  NvmlReturn (*default_app_clock)(NvmlDevice, int, unsigned*) = nullptr;
  NvmlReturn (*reasons)(NvmlDevice, unsigned long long*) = nullptr;
  NvmlReturn (*lock_gpu)(NvmlDevice, unsigned, unsigned) = nullptr;
  NvmlReturn (*reset_gpu)(NvmlDevice) = nullptr;
  NvmlReturn (*lock_mem)(NvmlDevice, unsigned, unsigned) = nullptr;
  NvmlReturn (*reset_mem)(NvmlDevice) = nullptr;
  const char* (*error)(NvmlReturn) = nullptr;
  std::string missing;  // why NVML is unusable; empty when it is
};

const Nvml& nvml() {
  static const Nvml api = [] {
    Nvml n;
    void* lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      n.missing = "libnvidia-ml.so.1 (the driver's NVML) not found";
      return n;
    }
    auto sym = [&](auto& fn, std::initializer_list<const char*> names) {
      for (const char* name : names)
        if (void* p = dlsym(lib, name)) {
          fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(p);
          return;
        }
      if (n.missing.empty()) n.missing = std::string("NVML lacks ") + *names.begin();
    };
    sym(n.init, {"nvmlInit_v2"});
    sym(n.by_pci_bus_id, {"nvmlDeviceGetHandleByPciBusId_v2"});
    sym(n.clock, {"nvmlDeviceGetClockInfo"});
    sym(n.max_clock, {"nvmlDeviceGetMaxClockInfo"});
    sym(n.default_app_clock, {"nvmlDeviceGetDefaultApplicationsClock"});
    // Renamed in CUDA 12.2; drivers keep the old name.
    sym(n.reasons,
        {"nvmlDeviceGetCurrentClocksEventReasons", "nvmlDeviceGetCurrentClocksThrottleReasons"});
    sym(n.lock_gpu, {"nvmlDeviceSetGpuLockedClocks"});
    sym(n.reset_gpu, {"nvmlDeviceResetGpuLockedClocks"});
    sym(n.lock_mem, {"nvmlDeviceSetMemoryLockedClocks"});
    sym(n.reset_mem, {"nvmlDeviceResetMemoryLockedClocks"});
    sym(n.error, {"nvmlErrorString"});
    if (n.missing.empty() && n.init() != kNvmlSuccess) n.missing = "nvmlInit failed";
    return n;
  }();
  return api;
}

std::string nvml_error(NvmlReturn r) {
  return nvml().error ? nvml().error(r) : "NVML error " + std::to_string(r);
}

// The device whose clocks are locked, for the signal handler to unlock before the process
// dies; clocks left locked would outlive the run.
NvmlDevice g_locked_device = nullptr;

void unlock_on_signal(int sig) {
  if (g_locked_device) {
    nvml().reset_gpu(g_locked_device);
    nvml().reset_mem(g_locked_device);
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
  if (!nvml().missing.empty()) {
    why = nvml().missing;
    return nullptr;
  }
  std::array<char, 32> bus_id{};
  if (cudaDeviceGetPCIBusId(bus_id.data(), int(bus_id.size()), cuda_device) != cudaSuccess) {
    (void)cudaGetLastError();
    why = "no PCI bus id for CUDA device " + std::to_string(cuda_device);
    return nullptr;
  }
  NvmlDevice device = nullptr;
  if (const NvmlReturn r = nvml().by_pci_bus_id(bus_id.data(), &device); r != kNvmlSuccess) {
    why = std::string("NVML has no device at ") + bus_id.data() + ": " + nvml_error(r);
    return nullptr;
  }
  return std::unique_ptr<GpuClocks>(new GpuClocks(device));
}

GpuClocks::~GpuClocks() { unlock(); }

ClockReading GpuClocks::read() const {
  ClockReading c;
  unsigned long long reasons = 0;
  // A failed read leaves zeros: "not read", never a made-up clock.
  if (nvml().clock(device_, kClockSm, &c.sm_mhz) != kNvmlSuccess) c.sm_mhz = 0;
  if (nvml().clock(device_, kClockMem, &c.mem_mhz) != kNvmlSuccess) c.mem_mhz = 0;
  if (nvml().reasons(device_, &reasons) == kNvmlSuccess) c.reasons = reasons;
  return c;
}

void GpuClocks::lock() {
  unsigned sm = 0, mem = 0;
  NvmlReturn r = nvml().default_app_clock(device_, kClockSm, &sm);
  if (r == kNvmlSuccess) r = nvml().max_clock(device_, kClockMem, &mem);
  if (r != kNvmlSuccess)
    throw std::runtime_error("--lock-clocks: cannot read the clocks to lock to: " + nvml_error(r));
  if (r = nvml().lock_gpu(device_, sm, sm); r != kNvmlSuccess)
    throw std::runtime_error("--lock-clocks: locking the SM clock at " + std::to_string(sm) +
                             " MHz failed: " + nvml_error(r) + " (it needs root)");
  locked_ = true;
  locked_sm_mhz_ = sm;
  g_locked_device = device_;
  std::signal(SIGINT, unlock_on_signal);
  std::signal(SIGTERM, unlock_on_signal);
  // HBM parts run one memory clock and answer "not supported": nothing to lock there.
  constexpr NvmlReturn kNotSupported = 3;
  if (r = nvml().lock_mem(device_, mem, mem); r != kNvmlSuccess && r != kNotSupported) {
    unlock();
    throw std::runtime_error("--lock-clocks: locking the memory clock at " + std::to_string(mem) +
                             " MHz failed: " + nvml_error(r));
  }
}

void GpuClocks::unlock() {
  if (!locked_) return;
  nvml().reset_gpu(device_);
  nvml().reset_mem(device_);
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
