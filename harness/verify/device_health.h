#pragma once
// The GPU's health as part of a verdict. A verification or mutation score is only as good as
// the GPU that produced it: a GPU that the driver marks for reset, or that falls off the bus,
// turns every later check into a failure (or a "killed" mutant) that says nothing about the
// kernel. So an isolated run watches the driver's Xid events for the GPUs it uses (NVML, opened
// with dlopen, no CUDA context), and after any fault or hang it runs a health probe (a fresh
// process: a context and a trivial kernel under a deadline) before it starts a replacement
// worker. What the Xid catalogue calls an application's own error is expected when a kernel
// faults; anything else stops the run without a verdict.
#include <memory>
#include <string>
#include <vector>

namespace qgemv {

struct XidEvent {
  int device = 0;              // the CUDA device of the run it was seen on
  unsigned long long xid = 0;  // the driver's error number
  double at_s = 0;             // seconds into the run
};

// Xids that a process's own fault causes and that leave the GPU usable: 13 (graphics engine
// exception: an illegal instruction, a trap or an out-of-range access inside a kernel), 31 (a
// memory page fault: an illegal address), 43 (the GPU stopped the faulting channel) and 45 (the
// driver cleaned up after a killed process). Every other Xid may need a GPU reset or worse.
bool is_application_xid(unsigned long long xid);
// "Xid 79 (GPU has fallen off the bus)" for the ones an operator meets; the number alone else.
std::string describe_xid(unsigned long long xid);

// Where Xid events come from: NVML on a real machine, a script in tests.
class XidSource {
 public:
  virtual ~XidSource() = default;
  // The events since the last call, without waiting.
  virtual std::vector<XidEvent> poll(double at_s) = 0;
  // Why no events can be seen (no NVML, no permission); empty when they can.
  virtual std::string unavailable() const = 0;
  // What the driver says must be done to device (NVML's recovery action: 0 none, 1 reset the
  // GPU, 2 reboot the node, 3 drain peer-to-peer traffic, 4 drain and reset); 0 when unknown.
  virtual int recovery_action(int device) = 0;
};

// NVML's events for the given CUDA devices, matched to NVML's devices by PCI bus id.
std::unique_ptr<XidSource> nvml_xid_source(const std::vector<int>& devices);

// What the supervisor saw of the GPUs during the run.
struct DeviceHealth {
  std::vector<XidEvent> xids;  // every Xid on a GPU of the run, in order
  std::string xid_watch;       // why Xids could not be watched; empty when they were
  int probes = 0;              // health probes run (one per device at the start, one per fault)
  // Empty while the GPUs are healthy; otherwise what went wrong, where, and what to do. A run
  // that sets it has no verdict: its failures and passes cannot be trusted.
  std::string unhealthy;
};

// `more` (a later part of one run: the next mutant, another shard) added to `into`: its Xids
// and probes, and its why-not and unhealthy texts where `into` has none yet.
void add_health(DeviceHealth& into, const DeviceHealth& more);

// The line an operator reads when a run stops on an unhealthy GPU.
std::string unhealthy_advice();

// A few lines for a record: the verdict's standing, the Xids seen, the probes run.
std::string health_summary(const DeviceHealth& h);

}  // namespace qgemv
