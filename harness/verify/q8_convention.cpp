#include "harness/verify/q8_convention.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "kernels/formats/fp16_bits.h"
#include "reference/gemv.h"
#include "reference/q8_1.h"

namespace qgemv {

void add_q8_convention_accuracy(const Q4KMatrix& w, const std::vector<float>& x, const char* input,
                                const ReferenceGemv& exact, AccuracyTable& table,
                                const ReferenceGemv* sum_of_x) {
  Q8Quantized xq = q8_1_quantize(x);
  if (xq.first_overflow >= 0) return;
  auto add = [&](const char* row, const ReferenceGemv& r) {
    table[accuracy_key(row, input)].add_case({r.y.data(), size_t(r.y.size())}, exact.y,
                                             exact.abs_terms);
  };
  std::optional<ReferenceGemv> own;
  if (!sum_of_x) sum_of_x = &own.emplace(reference_gemv_q8(w, xq.blocks));
  add(kQ8SumOfX, *sum_of_x);
  for (size_t b = 0; b < xq.blocks.size(); ++b) {
    // ggml's quantize_row_q8_1_ref: the integer sum times the f32 scale, then rounded to fp16.
    float amax = 0;
    for (int i = 0; i < kQ8Values && b * kQ8Values + i < x.size(); ++i)
      amax = std::max(amax, std::fabs(x[b * kQ8Values + i]));
    int sum = 0;
    for (int8_t q : xq.blocks[b].qs) sum += q;
    xq.blocks[b].s = f32_to_fp16_rn(float(sum) * (amax / 127.0f));
  }
  add(kQ8DTimesSumQ, reference_gemv_q8(w, xq.blocks));
}

}  // namespace qgemv
