#pragma once
// The Q8_1 quantizer that verification puts before every path whose input is Q8_1: the
// executor's own q8_quantize_kernel by default, or one built outside qgemv
// (harness/external/external_quantizer.h: `qgemv verify --quantizer`, and `qgemv mutate
// --quantizer` for its mutants), so that the Q8 paths and the q8_quantize checks judge that one.
#include <memory>
#include <string>

#include "harness/executor/executor.h"

namespace qgemv {

class Quantizer {
 public:
  virtual ~Quantizer() = default;
  // FILE:ENTRY of a quantizer built outside qgemv, which a worker process loads again; empty for
  // the executor's own.
  virtual std::string spec() const = 0;
  // As Executor::q8_quantize_into and q8_quantize_async: on ex's stream, after the previous
  // kernel, an overflow reported at the next synchronize (below). The async form's output is
  // allocated as verification has the executor allocate its own: poisoned and guarded.
  virtual void quantize_into(Executor& ex, const DeviceBuffer<float>& x,
                             DeviceBuffer<BlockQ8_1>& out, int64_t values, Q8Sum sum) const = 0;
  virtual DeviceBuffer<BlockQ8_1> quantize_async(Executor& ex, const DeviceBuffer<float>& x,
                                                 int64_t values, Q8Sum sum) const = 0;
  // Executor::synchronize, and Q8OverflowError if this quantizer saw an input that overflows.
  virtual void synchronize(Executor& ex) const = 0;
  // What a launch wrote outside the quantizer's own buffers (its status word), if anything.
  virtual std::string damaged_guards(cudaStream_t stream) const = 0;
};

// The executor's q8_quantize_kernel.
const Quantizer& builtin_quantizer();

// The quantizer of verification options: `q`, or the built-in one where it is null.
inline const Quantizer& quantizer_or_builtin(const std::shared_ptr<const Quantizer>& q) {
  return q ? *q : builtin_quantizer();
}

// `spec` (FILE:ENTRY) loaded on `device`; throws ExternalKernelError when it cannot be used.
std::shared_ptr<const Quantizer> load_quantizer(const std::string& spec, int device);

// The same named without loading anything (no CUDA context): for a supervisor that only names
// it to its workers, which load it. Quantizing with it throws std::logic_error.
std::shared_ptr<const Quantizer> declare_quantizer(const std::string& spec);

}  // namespace qgemv
