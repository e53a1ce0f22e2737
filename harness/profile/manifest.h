#pragma once
// The profiling target's list of what it launched, in launch order, which the parent pairs
// with ncu's rows one for one: CSV with the header label,n,k,per_token,min_bytes.
#include <string>
#include <string_view>
#include <vector>

#include "harness/profile/kernel_counters.h"

namespace qgemv::profile {

std::string manifest_csv(const std::vector<LaunchLabel>& launches);
// Throws std::runtime_error naming the line on a malformed manifest.
std::vector<LaunchLabel> parse_manifest(std::string_view text);

// Pairs the launches with ncu's rows in order; throws std::runtime_error when the counts differ
// (a launch ncu did not profile, or a kernel the target did not list).
std::vector<KernelCounters> pair_rows(const std::vector<NcuKernelRow>& rows,
                                      const std::vector<LaunchLabel>& launches);

}  // namespace qgemv::profile
