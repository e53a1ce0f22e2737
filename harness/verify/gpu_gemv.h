#pragma once
// One GEMV on the GPU from host data, in a chosen form, with the output poisoned first.
// Q8 paths get their input through the GPU's q8_quantize, as the executor's pipeline does.
#include <string>
#include <vector>

#include "harness/executor/executor.h"
#include "harness/executor/transfers.h"
#include "reference/q4k_matrix.h"

namespace qgemv {

enum class Form { kAsync, kInto, kGraph };
const char* form_name(Form f);
inline constexpr Form kAllForms[] = {Form::kAsync, Form::kInto, Form::kGraph};

// Runs path p on weight `name` (already in ex.weights()) for input x.
std::vector<float> gpu_gemv(Executor& ex, Path p, Form form, const std::string& name,
                            const Q4KMatrix& w, const std::vector<float>& x,
                            int outputs_per_block = 4);

// Uploads w under `name` and runs it once with the into form.
std::vector<float> gpu_gemv_once(Path p, const Q4KMatrix& w, const std::vector<float>& x,
                                 int outputs_per_block = 4);

}  // namespace qgemv
