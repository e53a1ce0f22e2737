#pragma once
// One kernel entry of a module built outside qgemv (a PTX or cubin file, or a .cu compiled with
// NVRTC), loaded through the driver API into a device's primary context: what an external GEMV
// kernel (external_kernel.h) and an external Q8_1 quantizer (external_quantizer.h) both are.
#include <cuda.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "harness/external/driver_api.h"

namespace qgemv {

// A FILE:ENTRY option (--kernel, --quantizer) malformed as written, or an inline spec: the
// command line's mistake, where a file that cannot be used is the input's.
struct ExternalArgsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct EntryArg {
  std::string file, entry;
  std::string ext;  // ptx, cubin or cu
};

// `value` of `option` ("--kernel") split as FILE:ENTRY, FILE ending .ptx, .cubin or .cu
// (ExternalArgsError otherwise), and the file readable and not empty (ExternalKernelError).
EntryArg parse_entry_arg(const std::string& option, const std::string& value);

struct LoadedEntry {
  CUmodule module = nullptr;  // kept for the process's life (unloaded if the entry is unusable)
  CUfunction function = nullptr;
  std::string lowered;  // the entry's name in the module
  int ptx = 0, binary = 0, max_threads = 0;
};

// Loads `a` on `device` (a .cu compiled with NVRTC for the device's architecture with
// `compile_options`), finds its entry (exactly, or by a part of its mangled name that no other
// entry shares) and checks its parameters against `param_sizes` (in bytes, in order, laid out as
// the ABI lays them out; `param_names` name them in the error). Throws ExternalKernelError with
// what is wrong; the module is unloaded again then.
LoadedEntry load_entry(const EntryArg& a, int device,
                       const std::vector<std::string>& compile_options,
                       const std::vector<size_t>& param_sizes,
                       const std::vector<std::string>& param_names);

// Where each parameter lies in a parameter buffer: aligned to its size, as the ABI lays out
// parameters; `total` gets the buffer's size.
std::vector<size_t> param_offsets(const std::vector<size_t>& sizes, size_t* total);

// Launches `e` with the parameter buffer `params` (laid out by param_offsets), on `stream`;
// `overlap` allows it to start before the previous kernel has finished (the entry then waits
// for it: dependent launch). Throws ExternalKernelError naming `what` and the shape on failure.
void launch_entry(const LoadedEntry& e, const std::string& what, unsigned grid, unsigned block,
                  unsigned shared, bool overlap, std::vector<char>& params, CUstream stream);

}  // namespace qgemv
