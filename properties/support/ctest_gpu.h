#pragma once
// Runs a GPU test on the GPU CTest gave it. Tests declare RESOURCE_GROUPS gpus:1
// (properties/CMakeLists.txt); under `ctest --resource-spec-file` (scripts/gpu-resource-spec)
// CTest names the GPU in CTEST_RESOURCE_GROUP_<i>_GPUS as "id:<index>,slots:1", and this makes
// it the process's only visible device (worker processes inherit it). Must run before the first
// CUDA call. Without CTest's variables, or with the placeholder id "none" of a machine without a
// GPU, nothing changes.
#include <cstdlib>
#include <string>

namespace qgemv::testing {

inline void use_ctest_gpu() {
  const char* count = std::getenv("CTEST_RESOURCE_GROUP_COUNT");
  if (count == nullptr) return;
  for (int i = 0; i < std::atoi(count); ++i) {
    const std::string group = "CTEST_RESOURCE_GROUP_" + std::to_string(i);
    const char* type = std::getenv(group.c_str());
    if (type == nullptr || std::string(type) != "gpus") continue;
    const char* spec = std::getenv((group + "_GPUS").c_str());
    if (spec == nullptr) return;
    const std::string s = spec;  // "id:3,slots:1"
    if (s.rfind("id:", 0) != 0) return;
    const std::string id = s.substr(3, s.find(',') - 3);
    if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos) return;
    // The spec numbers GPUs as nvidia-smi does, in PCI bus order.
    ::setenv("CUDA_DEVICE_ORDER", "PCI_BUS_ID", 1);
    ::setenv("CUDA_VISIBLE_DEVICES", id.c_str(), 1);
    return;
  }
}

}  // namespace qgemv::testing
