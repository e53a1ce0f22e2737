#include "harness/bench/ab_order.h"

#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

namespace qgemv {

std::vector<AbSide> ab_order(int64_t blocks, uint64_t seed) {
  if (blocks < 0) throw std::invalid_argument("ab_order: negative block count");
  std::mt19937_64 rng(seed);
  std::vector<AbSide> out;
  out.reserve(size_t(blocks) * 4);
  constexpr AbSide A = AbSide::kBase, B = AbSide::kCandidate;
  constexpr AbSide kAbba[] = {A, B, B, A}, kBaab[] = {B, A, A, B};
  for (int64_t i = 0; i < blocks; ++i) {
    // The top bit: mt19937_64's output is specified bit for bit, a distribution's is not.
    const AbSide* block = (rng() >> 63) == 0 ? kAbba : kBaab;
    out.insert(out.end(), block, block + 4);
  }
  return out;
}

std::vector<double> paired_log_ratios(const std::vector<AbSide>& order,
                                      const std::vector<double>& samples) {
  if (order.size() != samples.size())
    throw std::invalid_argument("paired_log_ratios: " + std::to_string(samples.size()) +
                                " samples for an order of " + std::to_string(order.size()));
  if (order.size() % 2 != 0)
    throw std::invalid_argument("paired_log_ratios: an odd number of samples cannot be paired");
  std::vector<double> out;
  out.reserve(order.size() / 2);
  for (size_t i = 0; i < order.size(); i += 2) {
    if (order[i] == order[i + 1])
      throw std::invalid_argument("paired_log_ratios: pair " + std::to_string(i / 2) +
                                  " holds one side twice");
    const double a = order[i] == AbSide::kBase ? samples[i] : samples[i + 1];
    const double b = order[i] == AbSide::kBase ? samples[i + 1] : samples[i];
    if (!(a > 0 && b > 0 && std::isfinite(a) && std::isfinite(b)))
      throw std::invalid_argument("paired_log_ratios: pair " + std::to_string(i / 2) +
                                  " has a time that is not positive and finite");
    out.push_back(std::log(b / a));
  }
  return out;
}

}  // namespace qgemv
