#include "reference/q4k_quantize.h"

#include "reference/parallel_rows.h"
#include "reference/q4k_quantize_block.h"

namespace qgemv {

void q4k_quantize_row(std::span<const float> x, std::span<BlockQ4K> out) {
  for (size_t b = 0; b < out.size(); ++b)
    q4k_detail::quantize_block(x.subspan(b * kQK, kQK).data(), out[b]);
}

Q4KMatrix q4k_quantize(std::span<const float> x, int64_t n, int64_t k) {
  check_shape(n, k);
  if (x.size() != size_t(n * k)) throw std::invalid_argument("q4k_quantize: x has wrong size");
  Q4KMatrix m{n, k, std::vector<BlockQ4K>(size_t(n * (k / kQK)))};
  parallel_rows(
      n, [&](int64_t r) { q4k_quantize_row(x.subspan(size_t(r * k), size_t(k)), m.row(r)); });
  return m;
}

}  // namespace qgemv
