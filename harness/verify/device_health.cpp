#include "harness/verify/device_health.h"

#include <cuda_runtime_api.h>
#include <dlfcn.h>

#include <array>
#include <cstdio>
#include <map>

namespace qgemv {
namespace {

// The few NVML declarations used, from NVML's documented C ABI (nvml.h is not part of the
// toolkit packages this builds with).
using NvmlReturn = int;
using NvmlDevice = void*;
using NvmlEventSet = void*;
constexpr NvmlReturn kNvmlSuccess = 0;
constexpr unsigned long long kEventXidCritical = 0x8;
constexpr unsigned kFieldRecoveryAction = 230;  // NVML_FI_DEV_GET_GPU_RECOVERY_ACTION

struct NvmlEventData {
  NvmlDevice device;
  unsigned long long type;
  unsigned long long data;  // the Xid
  unsigned gpu_instance, compute_instance;
};

struct NvmlFieldValue {
  unsigned field, scope;
  long long timestamp, latency_us;
  int value_type;
  NvmlReturn result;
  unsigned long long value;  // a union of at most 8 bytes in nvml.h
};

struct Nvml {
  NvmlReturn (*init)() = nullptr;
  NvmlReturn (*by_pci_bus_id)(const char*, NvmlDevice*) = nullptr;
  NvmlReturn (*set_create)(NvmlEventSet*) = nullptr;
  NvmlReturn (*register_events)(NvmlDevice, unsigned long long, NvmlEventSet) = nullptr;
  NvmlReturn (*set_wait)(NvmlEventSet, NvmlEventData*, unsigned) = nullptr;
  NvmlReturn (*set_free)(NvmlEventSet) = nullptr;
  NvmlReturn (*field_values)(NvmlDevice, int, NvmlFieldValue*) = nullptr;
  const char* (*error)(NvmlReturn) = nullptr;
  std::string missing;
};

const Nvml& nvml() {
  static const Nvml api = [] {
    Nvml n;
    void* lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      n.missing = "libnvidia-ml.so.1 (the driver's NVML) not found";
      return n;
    }
    auto sym = [&](auto& fn, const char* name) {
      if (void* p = dlsym(lib, name))
        fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(p);
      else if (n.missing.empty())
        n.missing = std::string("NVML lacks ") + name;
    };
    sym(n.init, "nvmlInit_v2");
    sym(n.by_pci_bus_id, "nvmlDeviceGetHandleByPciBusId_v2");
    sym(n.set_create, "nvmlEventSetCreate");
    sym(n.register_events, "nvmlDeviceRegisterEvents");
    sym(n.set_wait, "nvmlEventSetWait_v2");
    sym(n.set_free, "nvmlEventSetFree");
    sym(n.error, "nvmlErrorString");
    // Older drivers lack the field; recovery_action then says 0 (unknown).
    if (void* p = dlsym(lib, "nvmlDeviceGetFieldValues"))
      n.field_values = reinterpret_cast<decltype(n.field_values)>(p);
    if (n.missing.empty() && n.init() != kNvmlSuccess) n.missing = "nvmlInit failed";
    return n;
  }();
  return api;
}

std::string nvml_error(NvmlReturn r) {
  return nvml().error ? nvml().error(r) : "NVML error " + std::to_string(r);
}

class NvmlXidSource final : public XidSource {
 public:
  explicit NvmlXidSource(const std::vector<int>& devices) {
    if (!nvml().missing.empty()) {
      why_ = nvml().missing;
      return;
    }
    if (const NvmlReturn r = nvml().set_create(&set_); r != kNvmlSuccess) {
      why_ = "nvmlEventSetCreate: " + nvml_error(r);
      set_ = nullptr;
      return;
    }
    for (int d : devices) {
      std::array<char, 64> bus{};
      // Device management only: no CUDA context is made in the supervisor.
      if (cudaDeviceGetPCIBusId(bus.data(), int(bus.size()), d) != cudaSuccess) {
        cudaGetLastError();
        why_ = "no PCI bus id for CUDA device " + std::to_string(d);
        continue;
      }
      NvmlDevice h = nullptr;
      if (const NvmlReturn r = nvml().by_pci_bus_id(bus.data(), &h); r != kNvmlSuccess) {
        why_ = std::string("NVML has no device at ") + bus.data() + ": " + nvml_error(r);
        continue;
      }
      if (const NvmlReturn r = nvml().register_events(h, kEventXidCritical, set_);
          r != kNvmlSuccess) {
        why_ = "Xid events of device " + std::to_string(d) + ": " + nvml_error(r);
        continue;
      }
      devices_[h] = d;
    }
  }
  ~NvmlXidSource() override {
    if (set_) nvml().set_free(set_);
  }

  std::vector<XidEvent> poll(double at_s) override {
    std::vector<XidEvent> out;
    if (!set_ || devices_.empty()) return out;
    NvmlEventData e{};
    // A wait of 0 ms returns at once (NVML_ERROR_TIMEOUT) when no event is pending.
    while (nvml().set_wait(set_, &e, 0) == kNvmlSuccess) {
      const auto d = devices_.find(e.device);
      if (d != devices_.end() && e.type == kEventXidCritical)
        out.push_back({d->second, e.data, at_s});
    }
    return out;
  }
  std::string unavailable() const override { return why_; }
  int recovery_action(int device) override {
    if (!nvml().field_values) return 0;
    for (const auto& [h, d] : devices_) {
      if (d != device) continue;
      NvmlFieldValue v{};
      v.field = kFieldRecoveryAction;
      if (nvml().field_values(h, 1, &v) == kNvmlSuccess && v.result == kNvmlSuccess)
        return int(v.value & 0xffffffffu);
    }
    return 0;
  }

 private:
  NvmlEventSet set_ = nullptr;
  std::map<NvmlDevice, int> devices_;
  std::string why_;
};

}  // namespace

bool is_application_xid(unsigned long long xid) {
  return xid == 13 || xid == 31 || xid == 43 || xid == 45;
}

std::string describe_xid(unsigned long long xid) {
  static const std::map<unsigned long long, const char*> names = {
      {13, "graphics engine exception"},
      {31, "GPU memory page fault"},
      {43, "GPU stopped processing"},
      {45, "preemptive cleanup after a previous error"},
      {48, "double-bit ECC error"},
      {63, "ECC page retirement or row remapping"},
      {64, "ECC page retirement or row remapper failure"},
      {74, "NVLink error"},
      {79, "GPU has fallen off the bus"},
      {92, "high single-bit ECC error rate"},
      {94, "contained ECC error"},
      {95, "uncontained ECC error"},
      {109, "context switch timeout"},
      {119, "GSP RPC timeout"},
      {120, "GSP error"},
  };
  const auto n = names.find(xid);
  return "Xid " + std::to_string(xid) +
         (n == names.end() ? "" : std::string(" (") + n->second + ")");
}

std::unique_ptr<XidSource> nvml_xid_source(const std::vector<int>& devices) {
  return std::make_unique<NvmlXidSource>(devices);
}

std::string unhealthy_advice() {
  return "the results of this run are withheld: check the GPU (nvidia-smi, the kernel log's NVRM "
         "Xid lines), have it reset or the machine drained by whoever runs it, then run again";
}

std::string health_summary(const DeviceHealth& h) {
  std::string out =
      "GPU health: " +
      (h.unhealthy.empty() ? std::string("healthy throughout") : "UNHEALTHY: " + h.unhealthy) +
      "\nhealth probes: " + std::to_string(h.probes) + "\nXid events: ";
  if (!h.xid_watch.empty()) out += "not watched (" + h.xid_watch + "); ";
  if (h.xids.empty()) out += "none seen";
  for (size_t i = 0; i < h.xids.size(); ++i) {
    char at[32];
    std::snprintf(at, sizeof at, "%.1f", h.xids[i].at_s);
    out += (i ? ", " : "") + describe_xid(h.xids[i].xid) + " on device " +
           std::to_string(h.xids[i].device) + " at " + at + " s" +
           (is_application_xid(h.xids[i].xid) ? "" : " [not an application error]");
  }
  return out + "\n";
}

}  // namespace qgemv
