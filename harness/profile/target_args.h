#pragma once
// The command line of the profiling target (`qgemv profile --target ...`, profile_target.h)
// that the parent hands to ncu: the suite decides what the target launches.
#include <optional>
#include <string>
#include <vector>

namespace qgemv::profile {

struct TargetRequest {
  std::string executable;  // qgemv itself
  std::string suite;       // token, kernel or probes
  std::string dir;         // where the target writes manifest.csv and about.txt
  int device = 0;
  std::optional<std::string> preset, gguf;  // token and kernel suites: one of them
  std::string path;                         // token and kernel suites
  unsigned long long seed = 1;
};

std::vector<std::string> target_argv(const TargetRequest& r);

}  // namespace qgemv::profile
