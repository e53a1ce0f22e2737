#include <Eigen/Core>

#include "own_gemv.h"
#include "reference/q4k_dequantize.h"

namespace own {
namespace {

// Each value passes through ceil(log2(n)) additions, where a running sum would take n.
float pairwise_sum(std::span<const float> v) {
  if (v.size() == 1) return v[0];
  const size_t half = v.size() / 2;
  return pairwise_sum(v.first(half)) + pairwise_sum(v.subspan(half));
}

}  // namespace

std::vector<float> cpu_gemv(const qgemv::Q4KMatrix& w, std::span<const float> x) {
  std::vector<float> y(size_t(w.n)), products(size_t(w.k));
  for (int64_t r = 0; r < w.n; ++r) {
    const Eigen::VectorXd row = qgemv::q4k_dequantize_row(w.row(r));
    for (int64_t i = 0; i < w.k; ++i) products[size_t(i)] = float(row[i]) * x[size_t(i)];
    y[size_t(r)] = pairwise_sum(products);
  }
  return y;
}

}  // namespace own
