#pragma once
// NVML, the driver's management library, opened once with dlopen: qgemv builds against no NVML
// header (nvml.h is not in the toolkit packages it builds with), so the few declarations it uses
// are written here from NVML's documented C ABI. Clocks (bench) and Xid events (verify) share it.
#include <string>

namespace qgemv::nvml {

using Return = int;
using Device = void*;
using EventSet = void*;
inline constexpr Return kSuccess = 0;
inline constexpr int kClockSm = 1, kClockMem = 2;
inline constexpr unsigned long long kEventXidCritical = 0x8;
inline constexpr unsigned kFieldRecoveryAction = 230;  // NVML_FI_DEV_GET_GPU_RECOVERY_ACTION

struct EventData {
  Device device;
  unsigned long long type;
  unsigned long long data;  // the Xid, for kEventXidCritical
  unsigned gpu_instance, compute_instance;
};

struct FieldValue {
  unsigned field, scope;
  long long timestamp, latency_us;
  int value_type;
  Return result;
  unsigned long long value;  // a union of at most 8 bytes in nvml.h
};

struct Api {
  Return (*by_pci_bus_id)(const char*, Device*) = nullptr;
  Return (*clock)(Device, int, unsigned*) = nullptr;
  Return (*max_clock)(Device, int, unsigned*) = nullptr;
  Return (*default_app_clock)(Device, int, unsigned*) = nullptr;
  Return (*reasons)(Device, unsigned long long*) = nullptr;
  Return (*lock_gpu)(Device, unsigned, unsigned) = nullptr;
  Return (*reset_gpu)(Device) = nullptr;
  Return (*lock_mem)(Device, unsigned, unsigned) = nullptr;
  Return (*reset_mem)(Device) = nullptr;
  Return (*set_create)(EventSet*) = nullptr;
  Return (*register_events)(Device, unsigned long long, EventSet) = nullptr;
  Return (*set_wait)(EventSet, EventData*, unsigned) = nullptr;
  Return (*set_free)(EventSet) = nullptr;
  Return (*field_values)(Device, int, FieldValue*) = nullptr;  // null on old drivers
  const char* (*error)(Return) = nullptr;
  std::string missing;  // why NVML is unusable; empty when it is
};

// Initialised on first use; `missing` says why it cannot be used.
const Api& api();
std::string error_text(Return r);

}  // namespace qgemv::nvml
