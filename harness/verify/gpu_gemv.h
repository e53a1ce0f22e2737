#pragma once
// One GEMV on the GPU from host data, in a chosen form, as verification runs it: every buffer
// the launches read or write between guard zones, the output poisoned first, and the input
// written by a kernel that finishes late (kernels/verify/late_producer.h), so that a GEMV that
// reads its input before the previous kernel has finished reads poison. Q8 paths get their
// input through the GPU's q8_quantize, as the executor's pipeline does (or through the quantizer
// being verified: quantizer.h).
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/executor/executor.h"
#include "harness/executor/guard_zone.h"
#include "harness/executor/transfers.h"
#include "harness/verify/quantizer.h"
#include "reference/q4k_matrix.h"

namespace qgemv {

enum class Form { kAsync, kInto, kGraph };
const char* form_name(Form f);
inline constexpr Form kAllForms[] = {Form::kAsync, Form::kInto, Form::kGraph};

// A launch wrote outside one of its buffers; what() names the buffers and byte ranges.
struct GuardViolation : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// What verification varies to find out why a GEMV failed.
struct GemvRunOptions {
  unsigned char guard_fill = kGuardByte;  // x, Q8_1 and y guards (weights keep NaN guards)
  bool overlap = true;  // false: each launch starts after the previous one has finished (into)
  const Quantizer* quantizer = nullptr;  // before a Q8 path; null: the executor's own
};

// Runs path p on weight `name` (already in ex.weights()) for input x. Throws GuardViolation
// if a launch wrote outside its buffers.
std::vector<float> gpu_gemv(Executor& ex, Path p, Form form, const std::string& name,
                            const Q4KMatrix& w, const std::vector<float>& x,
                            int outputs_per_block = 4, const GemvRunOptions& run = {});

// Uploads w under `name` and runs it once with the into form.
std::vector<float> gpu_gemv_once(Path p, const Q4KMatrix& w, const std::vector<float>& x,
                                 int outputs_per_block = 4);

}  // namespace qgemv
