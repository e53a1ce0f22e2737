#pragma once
// `qgemv profile --format json` read back: the counter gate takes a profile's JSON as well as
// its --save folder, since CI jobs often keep only the JSON.
#include <string_view>

#include "harness/profile/profile_report.h"

namespace qgemv::profile {

// The launch and the counters of each kernel (null: unknown, -1); the stalls and the derived
// columns (read_ratio, limiter) are not read back. Throws std::runtime_error on text that is
// not a profile of schema_version kProfileSchemaVersion.
ProfileReport profile_from_json(std::string_view text);

}  // namespace qgemv::profile
