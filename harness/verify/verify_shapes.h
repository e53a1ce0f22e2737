#pragma once
// The GEMV shapes `qgemv verify` launches, as ranges: what depends on which shapes reach a kernel
// (mutate's template instances) derives them from here instead of restating the generators.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "harness/verify/verify_suite.h"

namespace qgemv {

// Every n in [min_n, max_n] with every k that is a multiple of 256 in [min_k, max_k].
struct ShapeRange {
  int64_t min_n = 1, max_n = 1;
  int64_t min_k = 256, max_k = 256;
};

// One generated case in kVocabularyEvery has a vocabulary's rows (an output projection), with k
// cut to kVocabularyMaxK so that its weights stay small.
inline constexpr int64_t kVocabularyRows = 151936;
inline constexpr int64_t kVocabularyMaxK = 1024;
inline constexpr uint64_t kVocabularyEvery = 499;
// The one-hot sweeps' rows and k, per path.
inline constexpr int64_t kOneHotRows = 9;
inline constexpr int64_t kOneHotKs[] = {256, 512};

// A vocabulary case's k: the drawn k cut to kVocabularyMaxK, yet not below the run's min_k.
constexpr int64_t vocabulary_k(int64_t drawn_k, int64_t min_k) {
  return std::max(min_k, std::min(drawn_k, kVocabularyMaxK));
}

// The generated cases' shapes first (testing::draw_case), then the vocabulary cases', then,
// unless opt.structured is off, the one-hot sweeps'. A failure's shrinking (fewer rows) is left
// out: it only follows a failure.
std::vector<ShapeRange> verify_shape_ranges(const VerifyOptions& opt);

}  // namespace qgemv
