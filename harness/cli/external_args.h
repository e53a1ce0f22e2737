#pragma once
// --kernel FILE:ENTRY --launch SPEC, accepted wherever --path is: a kernel built outside qgemv
// (harness/external/external_kernel.h) in place of a built-in path.
#include <optional>

#include "harness/cli/args.h"
#include "harness/verify/worker_protocol.h"
#include "kernels/launch/gemv_path.h"

namespace qgemv::cli {

// The valued options this adds to a command.
inline constexpr const char* kKernelOption = "kernel";
inline constexpr const char* kLaunchOption = "launch";

// The help lines, shared by every command that takes them.
inline constexpr const char* kExternalKernelHelp =
    "--kernel FILE:ENTRY --launch SPEC (instead of --path): a kernel built outside qgemv, from\n"
    "a .ptx, .cubin or .cu file (compiled with NVRTC, the toolkit's headers on the include\n"
    "path), launched as SPEC says: inline 'input=f32;threads=32;rows_per_cta=1;params=w,x,y,n,k'\n"
    "or a file of the same entries, one per line or ';'-separated; compile_options=-DN=4 -Idir\n"
    "for a .cu (docs/external-kernels.md). A malformed --kernel or inline spec\n"
    "is exit 2; a kernel or spec file that cannot be used is exit 4.\n";

// Empty without --kernel; a usage error if --kernel and --launch do not come together, or
// come with --path.
std::optional<worker::ExternalSpec> external_kernel_arg(const Args& args);

// --kernel and --launch checked as far as they can be without a GPU: a usage error for a
// malformed --kernel or inline spec, an input error for a file that cannot be used.
worker::ExternalSpec checked_external_kernel(const std::string& kernel, const std::string& launch);

// Loads and registers it on `device` (which must exist).
Path load_external(const worker::ExternalSpec& spec, int device);

}  // namespace qgemv::cli
