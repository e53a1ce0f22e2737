#pragma once
// Runs fn(row) for rows [0, n) on all hardware threads. Rows are independent in every
// reference computation, so results do not depend on the thread count.
#include <algorithm>
#include <cstdint>
#include <thread>
#include <vector>

namespace qgemv {

template <typename Fn>
void parallel_rows(int64_t n, Fn&& fn) {
  const int64_t threads =
      std::min<int64_t>(n / 16 + 1, std::max(1u, std::thread::hardware_concurrency()));
  if (threads <= 1) {
    for (int64_t r = 0; r < n; ++r) fn(r);
    return;
  }
  std::vector<std::thread> pool;
  for (int64_t t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int64_t r = t; r < n; r += threads) fn(r);
    });
  for (auto& th : pool) th.join();
}

}  // namespace qgemv
