#pragma once
// NVML's handle of a CUDA device, for the two readers of NVML: bench's clocks and the verify
// supervisor's Xid watch. CUDA and NVML number devices differently, so the match is by PCI bus
// id, which CUDA gives without a context.
#include <string>

#include "harness/executor/nvml_api.h"

namespace qgemv::nvml {

// The handle, or nullptr with the reason in `why` (no NVML, no bus id, no such NVML device).
Device device_of_cuda(int cuda_device, std::string& why);

}  // namespace qgemv::nvml
