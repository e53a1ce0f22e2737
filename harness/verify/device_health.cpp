#include "harness/verify/device_health.h"

#include <cstdio>
#include <map>

#include "harness/verify/nvml_device.h"

namespace qgemv {
namespace {

using nvml::kSuccess;
const nvml::Api& lib() { return nvml::api(); }

class NvmlXidSource final : public XidSource {
 public:
  explicit NvmlXidSource(const std::vector<int>& devices) {
    if (!lib().missing.empty()) {
      why_ = lib().missing;
      return;
    }
    if (const nvml::Return r = lib().set_create(&set_); r != kSuccess) {
      why_ = "nvmlEventSetCreate: " + nvml::error_text(r);
      set_ = nullptr;
      return;
    }
    for (int d : devices) {
      const nvml::Device h = nvml::device_of_cuda(d, why_);  // no CUDA context
      if (h == nullptr) continue;
      if (const nvml::Return r = lib().register_events(h, nvml::kEventXidCritical, set_);
          r != kSuccess) {
        why_ = "Xid events of device " + std::to_string(d) + ": " + nvml::error_text(r);
        continue;
      }
      devices_[h] = d;
    }
  }
  ~NvmlXidSource() override {
    if (set_) lib().set_free(set_);
  }

  std::vector<XidEvent> poll(double at_s) override {
    std::vector<XidEvent> out;
    if (!set_ || devices_.empty()) return out;
    nvml::EventData e{};
    // A wait of 0 ms returns at once (NVML_ERROR_TIMEOUT) when no event is pending.
    while (lib().set_wait(set_, &e, 0) == kSuccess) {
      const auto d = devices_.find(e.device);
      if (d != devices_.end() && e.type == nvml::kEventXidCritical)
        out.push_back({d->second, e.data, at_s});
    }
    return out;
  }
  std::string unavailable() const override { return why_; }
  int recovery_action(int device) override {
    if (!lib().field_values) return 0;
    for (const auto& [h, d] : devices_) {
      if (d != device) continue;
      nvml::FieldValue v{};
      v.field = nvml::kFieldRecoveryAction;
      if (lib().field_values(h, 1, &v) == kSuccess && v.result == kSuccess)
        return int(v.value & 0xffffffffu);
    }
    return 0;
  }

 private:
  nvml::EventSet set_ = nullptr;
  std::map<nvml::Device, int> devices_;
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

void add_health(DeviceHealth& into, const DeviceHealth& more) {
  into.xids.insert(into.xids.end(), more.xids.begin(), more.xids.end());
  into.probes += more.probes;
  if (into.xid_watch.empty()) into.xid_watch = more.xid_watch;
  if (into.unhealthy.empty()) into.unhealthy = more.unhealthy;
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
