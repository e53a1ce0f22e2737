#include "harness/verify/nvml_device.h"

#include <cuda_runtime_api.h>

#include <array>

namespace qgemv::nvml {

Device device_of_cuda(int cuda_device, std::string& why) {
  if (!api().missing.empty()) {
    why = api().missing;
    return nullptr;
  }
  std::array<char, 32> bus{};
  if (cudaDeviceGetPCIBusId(bus.data(), int(bus.size()), cuda_device) != cudaSuccess) {
    (void)cudaGetLastError();
    why = "no PCI bus id for CUDA device " + std::to_string(cuda_device);
    return nullptr;
  }
  Device device = nullptr;
  if (const Return r = api().by_pci_bus_id(bus.data(), &device); r != kSuccess) {
    why = std::string("NVML has no device at ") + bus.data() + ": " + error_text(r);
    return nullptr;
  }
  return device;
}

}  // namespace qgemv::nvml
