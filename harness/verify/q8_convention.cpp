#include "harness/verify/q8_convention.h"

#include <optional>

#include "reference/gemv.h"
#include "reference/q8_1.h"

namespace qgemv {

void add_q8_convention_accuracy(const Q4KMatrix& w, const std::vector<float>& x, const char* input,
                                const ReferenceGemv& exact, AccuracyTable& table,
                                const ReferenceGemv* sum_of_x, const ReferenceGemv* d_sum_q) {
  // The quantizer the Q8 paths of each convention are checked with (q8_1.h). At the edge of fp16
  // one convention's s may overflow where the other's does not; such a case is left out of both
  // rows, so that they count the same cases.
  const Q8Quantized by_sum = q8_1_quantize(x), by_d_sum = q8_1_quantize(x, Q8Sum::kScaledSumOfQ);
  if (by_sum.first_overflow >= 0 || by_d_sum.first_overflow >= 0) return;
  auto add = [&](const char* row, const Q8Quantized& xq, const ReferenceGemv* made) {
    std::optional<ReferenceGemv> own;
    if (!made) made = &own.emplace(reference_gemv_q8(w, xq.blocks));
    table[accuracy_key(row, input)].add_case({made->y.data(), size_t(made->y.size())}, exact.y,
                                             exact.abs_terms);
  };
  add(kQ8SumOfX, by_sum, sum_of_x);
  add(kQ8DTimesSumQ, by_d_sum, d_sum_q);
}

}  // namespace qgemv
