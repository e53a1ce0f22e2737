#include "harness/verify/verify_shapes.h"

#include <algorithm>

namespace qgemv {

std::vector<ShapeRange> verify_shape_ranges(const VerifyOptions& opt) {
  const int64_t min_k = std::clamp<int64_t>(opt.min_k, kQK, opt.max_k);
  std::vector<ShapeRange> out = {{1, opt.max_n, min_k, opt.max_k}};
  out.push_back({kVocabularyRows, kVocabularyRows, vocabulary_k(min_k, min_k),
                 vocabulary_k(opt.max_k, min_k)});
  if (opt.structured)
    for (int64_t k : kOneHotKs) out.push_back({kOneHotRows, kOneHotRows, k, k});
  return out;
}

}  // namespace qgemv
