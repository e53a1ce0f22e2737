#pragma once
// A GEMV kernel built outside qgemv, loaded as the seed's executor loads its modules (a PTX or
// cubin file, or a .cu compiled with NVRTC, through the driver API) and registered as a path, so
// that verify, gemv, bench and explain run it in every form like a built-in one. Its error
// bound follows from its activation format (launch_spec.h: rounding).
#include <string>

#include "harness/external/driver_api.h"
#include "harness/external/launch_spec.h"
#include "harness/external/loaded_entry.h"
#include "kernels/launch/gemv_path.h"

namespace qgemv {

// `kernel` is FILE:ENTRY (FILE ending .ptx, .cubin or .cu); `launch` a spec (launch_spec.h).
// Loads into device `device`'s primary context and registers the path. Throws
// ExternalKernelError (or LaunchSpecError) with what is wrong: an unreadable or malformed module,
// a missing entry, parameters that do not match the spec, an NVRTC compile error and its log.
Path load_external_kernel(const std::string& kernel, const std::string& launch, int device);

// The same path registered without loading anything (no CUDA context): for a supervisor that
// only names the path to its workers, which load it. Launching it throws std::logic_error.
Path declare_external_kernel(const std::string& kernel, const std::string& launch);

// What load_external_kernel checks before it needs a GPU: FILE:ENTRY, the file's extension and
// that it can be read, and the spec. Throws ExternalArgsError for a malformed --kernel or inline
// spec, else as load_external_kernel does.
void check_external_kernel_args(const std::string& kernel, const std::string& launch);

}  // namespace qgemv
