#pragma once
// What `qgemv profile` prints: per kernel, the counters Nsight Compute read and the limiter
// they name (limiter.h), as a text table, CSV or JSON.
#include <string>
#include <vector>

#include "harness/profile/kernel_counters.h"

namespace qgemv::profile {

struct ProfileReport {
  std::string subject;  // a preset's or GGUF model's name, or "probes"
  std::string path;     // the GEMV path ("-" for the probes)
  std::string suite;    // token or probes
  std::string ncu_version;
  std::vector<KernelCounters> kernels;
};

// profile_json's "schema_version": raised whenever a key is renamed, removed or changes meaning.
inline constexpr int kProfileSchemaVersion = 1;

std::string profile_text(const ProfileReport& r);
std::string profile_csv(const ProfileReport& r);
std::string profile_json(const ProfileReport& r);

}  // namespace qgemv::profile
