#include "harness/executor/device_info.h"

#include <cuda_runtime_api.h>

namespace qgemv {
namespace {

std::string version(int v) {
  return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10);
}

}  // namespace

DeviceInfo query_device(int device) {
  DeviceInfo info;
  int rt = 0, drv = 0;
  if (cudaRuntimeGetVersion(&rt) == cudaSuccess) info.runtime = version(rt);
  if (cudaDriverGetVersion(&drv) == cudaSuccess && drv > 0)
    info.driver = version(drv);
  else
    info.driver = "none";
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess) {
    info.reason = std::string(cudaGetErrorName(e)) + ": " + cudaGetErrorString(e);
    return info;
  }
  if (device >= count) {
    info.reason =
        std::to_string(count) + " CUDA device(s), asked for device " + std::to_string(device);
    return info;
  }
  cudaDeviceProp p{};
  if (const cudaError_t pe = cudaGetDeviceProperties(&p, device); pe != cudaSuccess) {
    info.reason = std::string(cudaGetErrorName(pe)) + ": " + cudaGetErrorString(pe);
    return info;
  }
  info.available = true;
  info.name = p.name;
  info.cc_major = p.major;
  info.cc_minor = p.minor;
  info.sms = p.multiProcessorCount;
  info.l2_bytes = p.l2CacheSize;
  info.memory_bytes = (long long)p.totalGlobalMem;
  return info;
}

}  // namespace qgemv
