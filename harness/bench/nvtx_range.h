#pragma once
// A named NVTX range around a benchmark case, so that Nsight Systems and Nsight Compute can
// filter its kernels (`ncu --nvtx --nvtx-include "qgemv@kernel/qwen2.5-7b/gate/mwv_q8/]"`).
// NVTX 3 is header-only: without a profiler attached a range costs a branch.
#include <nvtx3/nvToolsExt.h>

#include <string>

namespace qgemv {

class NvtxRange {
 public:
  explicit NvtxRange(const std::string& message) {
    nvtxEventAttributes_t a{};
    a.version = NVTX_VERSION;
    a.size = NVTX_EVENT_ATTRIB_STRUCT_SIZE;
    a.messageType = NVTX_MESSAGE_TYPE_ASCII;
    a.message.ascii = message.c_str();
    nvtxDomainRangePushEx(domain(), &a);
  }
  ~NvtxRange() { nvtxDomainRangePop(domain()); }
  NvtxRange(const NvtxRange&) = delete;
  NvtxRange& operator=(const NvtxRange&) = delete;

 private:
  static nvtxDomainHandle_t domain() {
    static const nvtxDomainHandle_t d = nvtxDomainCreateA("qgemv");
    return d;
  }
};

}  // namespace qgemv
