#pragma once
// A Q8_1 quantizer built outside qgemv (a mutant of kernels/gemv/q8_quantize.cu, or anyone's),
// loaded as external GEMV kernels are (loaded_entry.h): a PTX or cubin file, or a .cu compiled
// with NVRTC. Its entry takes q8_quantize_kernel's parameters,
//   (const float* x, BlockQ8_1* out, int64_t values, unsigned* status, Q8Sum convention),
// and is launched as qgemv launches that kernel: q8_quantize_launch_shape(values), allowed to
// start before the previous kernel has finished where its code waits for it (PTX and binary for
// sm_90 or later), as launch_after_previous allows the built-in one.
#include <cuda.h>

#include <cstdint>
#include <string>
#include <vector>

#include "harness/external/loaded_entry.h"
#include "kernels/formats/blocks.h"

namespace qgemv {

class ExternalQuantizer {
 public:
  // FILE:ENTRY (FILE ending .ptx, .cubin or .cu) checked as far as it can be without a GPU:
  // ExternalArgsError for a malformed one, ExternalKernelError for a file that cannot be used.
  static EntryArg check_arg(const std::string& spec);
  // Loads it into device `device`'s primary context; throws ExternalKernelError with what is
  // wrong (an unloadable module, no such entry, parameters that are not q8_quantize_kernel's).
  ExternalQuantizer(const std::string& spec, int device);
  const std::string& spec() const { return spec_; }
  // Enqueues it on `stream`; throws ExternalKernelError if the launch is refused. Errors while
  // it runs come back at the stream's synchronisation, as a built-in kernel's do.
  void launch(const float* x, BlockQ8_1* out, int64_t values, unsigned* status, Q8Sum convention,
              CUstream stream) const;

 private:
  std::string spec_;
  // Where each parameter lies in the launch's argument buffer, and its size: fixed by the
  // signature, so laid out once.
  std::vector<size_t> offsets_;
  size_t params_bytes_ = 0;
  LoadedEntry entry_;
  bool overlap_ = false;
};

}  // namespace qgemv
