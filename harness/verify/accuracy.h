#pragma once
// What each path costs in accuracy, beside whether it passes its bound: per path and input
// distribution, the error of each output row against the exact float64 product of the
// dequantized weights and the unquantized input x, relative to the row's sum of absolute terms
// sum_i |w_i x_i| (worst and median), and the NMSE of each case as llama.cpp's test-backend-ops
// computes it (sum (y - exact)^2 / sum exact^2; worst and median over cases). Medians come from
// a histogram with eight bins per decade, so they are good to about 15 %.
#include <Eigen/Core>
#include <cstdint>
#include <map>
#include <span>
#include <string>

namespace qgemv {

class LogHistogram {
 public:
  void add(double v);  // v >= 0, or infinite (a NaN or inf output)
  void merge(const LogHistogram& other);
  double quantile(double q) const;  // the geometric middle of the bin holding quantile q
  int64_t count() const { return count_; }
  std::string encode() const;
  static LogHistogram decode(const std::string& s);

 private:
  static constexpr int kZero = -100000;     // the bin of exact zeros
  static constexpr int kInfinite = 100000;  // and of infinities
  std::map<int, int64_t> bins_;
  int64_t count_ = 0;
};

struct AccuracyStats {
  int64_t cases = 0;
  int64_t rows = 0;
  double worst_row = 0;
  LogHistogram row_errors;
  double worst_nmse = 0;
  LogHistogram nmse;

  // One case's outputs y against the exact product and each row's sum of absolute terms. Rows
  // whose terms are all zero have no relative error and are left out, as are cases whose
  // exact outputs are all zero from the NMSE.
  void add_case(std::span<const double> y, const Eigen::VectorXd& exact,
                const Eigen::VectorXd& abs_terms);
  void merge(const AccuracyStats& other);
  std::string encode() const;
  static AccuracyStats decode(const std::string& s);

  // Medians from the histograms, never above the worst values: a bin's middle can lie above
  // every value in it.
  double median_row() const;
  double median_nmse() const;
};

// Keyed by "row name\tinput distribution".
using AccuracyTable = std::map<std::string, AccuracyStats>;
std::string accuracy_key(const std::string& row, const std::string& input);

// Markdown: one line per row and input distribution; its median columns say they are approximate.
std::string render_accuracy(const AccuracyTable& t);

}  // namespace qgemv
