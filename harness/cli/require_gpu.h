#pragma once
// Commands that need a GPU: the device, or nothing after saying on stderr why there is none
// (the caller then exits with kExitNoDevice).
#include <iostream>
#include <optional>
#include <string>

#include "harness/executor/device_info.h"

namespace qgemv::cli {

inline std::optional<DeviceInfo> require_gpu(const std::string& command, int device) {
  DeviceInfo d = query_device(device);
  if (d.available) return d;
  std::cerr << "qgemv " << command << ": needs a GPU; no CUDA device: " << d.reason << "\n";
  return std::nullopt;
}

}  // namespace qgemv::cli
