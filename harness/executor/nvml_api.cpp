#include "harness/executor/nvml_api.h"

#include <dlfcn.h>

#include <initializer_list>
#include <type_traits>

namespace qgemv::nvml {

const Api& api() {
  static const Api a = [] {
    Api n;
    void* lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      n.missing = "libnvidia-ml.so.1 (the driver's NVML) not found";
      return n;
    }
    auto sym = [&](auto& fn, std::initializer_list<const char*> names, bool required = true) {
      for (const char* name : names)
        if (void* p = dlsym(lib, name)) {
          fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(p);
          return;
        }
      if (required && n.missing.empty()) n.missing = std::string("NVML lacks ") + *names.begin();
    };
    Return (*init)() = nullptr;
    sym(init, {"nvmlInit_v2"});
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
    sym(n.set_create, {"nvmlEventSetCreate"});
    sym(n.register_events, {"nvmlDeviceRegisterEvents"});
    sym(n.set_wait, {"nvmlEventSetWait_v2"});
    sym(n.set_free, {"nvmlEventSetFree"});
    sym(n.field_values, {"nvmlDeviceGetFieldValues"}, false);
    sym(n.error, {"nvmlErrorString"});
    if (n.missing.empty() && init() != kSuccess) n.missing = "nvmlInit failed";
    return n;
  }();
  return a;
}

std::string error_text(Return r) {
  return api().error ? api().error(r) : "NVML error " + std::to_string(r);
}

}  // namespace qgemv::nvml
