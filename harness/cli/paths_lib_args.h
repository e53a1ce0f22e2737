#pragma once
// --paths-lib FILE, accepted by verify, gemv and bench: a project's own GEMV paths, kernels and
// host launch code, from a shared library with the C interface of kernels/launch/paths_abi.h
// (examples/own-kernel builds one), registered beside the built-in paths as LIBRARY:NAME.
#include "harness/cli/args.h"
#include "harness/external/paths_library.h"

namespace qgemv::cli {

inline constexpr const char* kPathsLibOption = "paths-lib";

inline constexpr const char* kPathsLibHelp =
    "--paths-lib FILE: also the paths of a paths library (a shared library with the C\n"
    "interface of kernels/launch/paths_abi.h, built against the installed qgemv), named\n"
    "LIBRARY:NAME after the library's table (own:own_gemv); --path takes them like any\n"
    "other (docs/library.md). A file that is not such a library is exit 4.\n";

// Loads the library --paths-lib names and registers its rows; nullptr without the option.
// Reads only its version and table, so it makes no CUDA context and needs no GPU; the
// launching thread calls prepare(device) once a GPU is there.
const PathsLibrary* paths_library_arg(const Args& args);

}  // namespace qgemv::cli
