#pragma once
// A folder `qgemv profile --save` wrote: ncu.csv (ncu's raw page), manifest.csv (the launch
// list), about.txt (key=value lines: subject, path, suite, ncu) and sass.csv (each kernel's
// code identity, sass_record.h; absent from folders saved before it was), read again without a
// GPU.
#include <string>
#include <vector>

#include "harness/profile/profile_report.h"

namespace qgemv::profile {

struct SavedProfile {
  ProfileReport report;  // what about.txt lacks is "?" (subject, suite), "-" (path) or "ncu"
  std::vector<std::string> missing_metrics;  // of the first kernel's row (missing_metrics)
};

// Throws std::runtime_error naming the file that cannot be read or parsed, or the folder when
// it holds no kernel.
SavedProfile read_profile_dir(const std::string& dir);

}  // namespace qgemv::profile
