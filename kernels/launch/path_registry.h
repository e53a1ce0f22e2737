#pragma once
// The paths qgemv knows: the built-in table first, then rows added at run time (a test file's
// deliberately broken kernels, external kernels). Commands that take `--path` and `--path all`
// look paths up here, so a new row needs no edit elsewhere.
#include <optional>
#include <string_view>
#include <vector>

#include "kernels/launch/gemv_path.h"

namespace qgemv {

// The built-in paths: builtin_table()'s rows as handles, in its order.
const std::vector<Path>& builtin_paths();

// Built-in paths, then registered ones in the order they were added.
const std::vector<Path>& registered_paths();

// Adds `info` (which must outlive every use: static storage, or owned by the caller until the
// process ends). Throws std::invalid_argument if its name is taken, it lacks a launch, or it
// sets q8_sum without reading Q8_1 input. Not
// thread-safe: register before starting threads (a static initializer is the usual place).
Path register_path(const PathInfo& info);

// The registered path of that name (what --path takes).
std::optional<Path> find_path(std::string_view name);

}  // namespace qgemv
