#pragma once
// --kernel FILE:ENTRY --launch SPEC, accepted wherever --path is: a kernel built outside qgemv
// (harness/external/external_kernel.h) in place of a built-in path. --quantizer FILE:ENTRY: a
// Q8_1 quantizer built outside qgemv (harness/external/external_quantizer.h) in place of the
// built-in one.
#include <optional>
#include <string>
#include <vector>

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

inline constexpr const char* kQuantizerOption = "quantizer";

inline constexpr const char* kQuantizerHelp =
    "--quantizer FILE:ENTRY: a Q8_1 quantizer built outside qgemv (.ptx, .cubin or .cu, as\n"
    "--kernel) with q8_quantize_kernel's parameters (x, out, values, status, convention), in\n"
    "place of the built-in one: it quantizes the input of the paths whose input is Q8_1 (all of\n"
    "them unless --path or --kernel names one; one reading f32 is exit 2) and is what the\n"
    "q8_quantize checks compare with the CPU bit for bit. A malformed FILE:ENTRY is exit 2, a\n"
    "file that cannot be used exit 4.\n";

// Empty without --kernel; a usage error if --kernel and --launch do not come together, or
// come with --path.
std::optional<worker::ExternalSpec> external_kernel_arg(const Args& args);

// --kernel and --launch checked as far as they can be without a GPU: a usage error for a
// malformed --kernel or inline spec, an input error for a file that cannot be used.
worker::ExternalSpec checked_external_kernel(const std::string& kernel, const std::string& launch);

// Loads and registers it on `device` (which must exist).
Path load_external(const worker::ExternalSpec& spec, int device);

// Empty without --quantizer; checked as --kernel is: a usage error for a malformed FILE:ENTRY,
// an input error for a file that cannot be used.
std::optional<std::string> quantizer_arg(const Args& args);

// The paths a run with a quantizer verifies: of `paths`, those whose input is Q8_1. `chosen`:
// the command line named them (--path, --kernel), so one that reads f32 is a usage error, not
// left out; none left is one too.
std::vector<Path> quantizer_paths(const std::vector<Path>& paths, bool chosen);

}  // namespace qgemv::cli
