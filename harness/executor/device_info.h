#pragma once
// What `qgemv info` and result files say about the machine.
#include <string>

namespace qgemv {

struct DeviceInfo {
  bool available = false;
  std::string reason;  // why there is no device, when unavailable
  std::string name;
  int cc_major = 0, cc_minor = 0;
  int sms = 0;
  long long l2_bytes = 0;
  long long memory_bytes = 0;
  std::string driver;   // CUDA driver API version, e.g. "13.0"
  std::string runtime;  // CUDA runtime version linked into qgemv
};

DeviceInfo query_device(int device = 0);

}  // namespace qgemv
