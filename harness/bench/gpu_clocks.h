#pragma once
// The GPU's clocks and throttle state, read through NVML, for every benchmark sample: a sample
// taken while the GPU slowed itself down (power cap, thermal or hardware slowdown) measures the
// slowdown, not the kernel. NVML ships with the driver, not with the toolkit this builds with,
// so it is opened at run time; without it the rows say the clocks were not read.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

namespace qgemv {

struct ClockReading {
  unsigned sm_mhz = 0;
  unsigned mem_mhz = 0;
  uint64_t reasons = 0;  // NVML clock event reasons (bit mask) active when read
};

// The reasons that make a sample untrustworthy (NVML clock event reason bits, with the names
// rows record): the GPU ran below the clock it would have run at. Idle, application-clock and
// sync-boost settings are not slowdowns of a running kernel.
inline constexpr std::array<std::pair<uint64_t, const char*>, 5> kThrottleReasonNames = {{
    {0x4, "sw_power_cap"},
    {0x8, "hw_slowdown"},
    {0x20, "sw_thermal_slowdown"},
    {0x40, "hw_thermal_slowdown"},
    {0x80, "hw_power_brake"},
}};

inline constexpr uint64_t kThrottleReasons = [] {
  uint64_t mask = 0;
  for (const auto& [bit, name] : kThrottleReasonNames) mask |= bit;
  return mask;
}();

// "sw_power_cap|hw_thermal_slowdown" for the throttle reasons in `reasons`; "none" for none.
std::string throttle_reason_names(uint64_t reasons);

class GpuClocks {
 public:
  // The NVML device behind CUDA device `cuda_device`; nullptr, with `why` set, when NVML or the
  // device cannot be opened.
  static std::unique_ptr<GpuClocks> open(int cuda_device, std::string& why);
  ~GpuClocks();
  GpuClocks(const GpuClocks&) = delete;
  GpuClocks& operator=(const GpuClocks&) = delete;

  ClockReading read() const;

  // Locks the SM clock to the device's default application clock and the memory clock to its
  // maximum, until unlock() or destruction (also on SIGINT and SIGTERM). Throws
  // std::runtime_error with NVML's reason when not permitted (it needs root).
  void lock();
  void unlock();
  bool locked() const { return locked_; }
  unsigned locked_sm_mhz() const { return locked_sm_mhz_; }

 private:
  explicit GpuClocks(void* device) : device_(device) {}
  void* device_;
  bool locked_ = false;
  unsigned locked_sm_mhz_ = 0;
};

// The SM clock now, MHz: read through `clocks`, or the device's peak clock where they are null
// or read none (what a spin kernel sized in SM cycles counts in; harness/bench/injection.h).
double sm_mhz_now(const GpuClocks* clocks, int cuda_device);

}  // namespace qgemv
