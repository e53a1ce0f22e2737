// The accuracy table of qgemv verify: its statistics, their travel between worker and supervisor,
// and the Q8_1 conventions it compares.
#include "harness/verify/accuracy.h"

#include <gtest/gtest.h>

#include <cmath>

#include "harness/verify/q8_convention.h"
#include "harness/verify/random_case.h"
#include "harness/verify/verify_suite.h"
#include "harness/verify/worker_protocol.h"
#include "reference/gemv.h"
#include "reference/q8_1.h"

namespace qgemv {
namespace {

TEST(Accuracy, HistogramMedianWithinItsBin) {
  LogHistogram h;
  for (int i = 1; i <= 999; ++i) h.add(1e-6 * i);  // median 5e-4
  const double m = h.quantile(0.5);
  EXPECT_GT(m, 5e-4 / std::pow(10.0, 1.0 / 8));
  EXPECT_LT(m, 5e-4 * std::pow(10.0, 1.0 / 8));
  LogHistogram zeros;
  zeros.add(0);
  zeros.add(0);
  zeros.add(1);
  EXPECT_EQ(zeros.quantile(0.5), 0.0);
  EXPECT_TRUE(std::isnan(LogHistogram{}.quantile(0.5)));
}

// A bin's geometric middle can lie above every value in it: the medians the table prints are
// clamped to the worst, and the table says they are approximate.
TEST(Accuracy, MediansAreNeverAboveTheWorst) {
  AccuracyStats a;
  const Eigen::VectorXd exact = Eigen::VectorXd::Constant(4, 1.0);
  const Eigen::VectorXd terms = Eigen::VectorXd::Constant(4, 1.0);
  const std::vector<double> y(4, 1.00105);  // every row's error 1.05e-3, low in its bin
  a.add_case(y, exact, terms);
  ASSERT_GT(a.row_errors.quantile(0.5), a.worst_row);  // what the histogram alone would print
  ASSERT_GT(a.nmse.quantile(0.5), a.worst_nmse);
  EXPECT_EQ(a.median_row(), a.worst_row);
  EXPECT_EQ(a.median_nmse(), a.worst_nmse);
  const std::string table = render_accuracy({{accuracy_key("q4k", "normal"), a}});
  EXPECT_NE(table.find("median row error (approx.)"), std::string::npos) << table;
  EXPECT_NE(table.find("median NMSE (approx.)"), std::string::npos) << table;
  // | path | input | cases | rows | worst row | median row | worst NMSE | median NMSE |
  const std::string line = table.substr(table.rfind("| q4k"));
  std::vector<std::string> cells;
  for (size_t at = 1, bar; (bar = line.find('|', at)) != std::string::npos; at = bar + 1)
    cells.push_back(line.substr(at + 1, bar - at - 2));
  ASSERT_EQ(cells.size(), 8u) << line;
  EXPECT_LE(std::stod(cells[5]), std::stod(cells[4])) << line;
  EXPECT_LE(std::stod(cells[7]), std::stod(cells[6])) << line;
}

TEST(Accuracy, RowErrorsAndNmseAsDefined) {
  AccuracyStats a;
  const Eigen::VectorXd exact = (Eigen::VectorXd(3) << 1.0, -2.0, 0.0).finished();
  const Eigen::VectorXd terms = (Eigen::VectorXd(3) << 2.0, 4.0, 0.0).finished();
  const std::vector<double> y = {1.1, -2.0, 0.5};
  a.add_case(y, exact, terms);
  EXPECT_EQ(a.cases, 1);
  EXPECT_EQ(a.rows, 2);  // the row without terms has no relative error
  EXPECT_NEAR(a.worst_row, 0.1 / 2.0, 1e-12);
  EXPECT_NEAR(a.worst_nmse, (0.01 + 0.25) / 5.0, 1e-12);
  const std::vector<double> nan_row = {std::nan(""), -2.0, 0.0};
  a.add_case(nan_row, exact, terms);
  a.add_case(nan_row, exact, terms);
  EXPECT_TRUE(std::isinf(a.worst_row));
  EXPECT_TRUE(std::isinf(a.worst_nmse));
  EXPECT_TRUE(std::isinf(a.nmse.quantile(0.9)));  // two of three cases are NaN
  EXPECT_TRUE(std::isinf(AccuracyStats::decode(a.encode()).nmse.quantile(0.9)));
  AccuracyStats tiny;
  tiny.worst_row = 4e-320;  // subnormal
  EXPECT_EQ(AccuracyStats::decode(tiny.encode()).worst_row, 4e-320);
}

TEST(Accuracy, TravelsInTheWorkerReport) {
  VerifyReport r;
  r.tallies["q4k/into"] = {3, 0};
  const std::vector<double> y = {1.5};
  r.accuracy[accuracy_key("q4k", "normal")].add_case(y, Eigen::VectorXd::Constant(1, 1.0),
                                                     Eigen::VectorXd::Constant(1, 4.0));
  r.failures = {{"q4k/into", "a failure"}};
  const VerifyReport back =
      worker::decode_report(worker::unescape(worker::escape(worker::encode_report(r))));
  ASSERT_EQ(back.accuracy.size(), 1u);
  const AccuracyStats& a = back.accuracy.at(accuracy_key("q4k", "normal"));
  EXPECT_EQ(a.rows, 1);
  EXPECT_DOUBLE_EQ(a.worst_row, 0.125);
  EXPECT_EQ(a.row_errors.count(), 1);
  EXPECT_EQ(back.failures, r.failures);
  VerifyReport sum = back;
  sum.add(back);
  EXPECT_EQ(sum.accuracy.at(accuracy_key("q4k", "normal")).cases, 2);
}

TEST(Accuracy, TotalUnitsCountsStructuredChecks) {
  VerifyOptions o;
  o.cases = 10;
  o.paths = {Path::kQ4K, Path::kMwv, Path::kTiled};
  EXPECT_EQ(total_units(o), 10 + 2 * 3 + 30 + 2);
  o.structured = false;
  EXPECT_EQ(total_units(o), 10);
}

// With s = d * sum q the Q8_1 product is the exact product of the dequantized input (up to the
// fp16 rounding of s); with s = sum x it is not, so the table's two rows differ.
TEST(Accuracy, Q8ConventionsGiveTheirOwnRows) {
  const testing::GemvData d = testing::materialize(
      {3, 16, 1024, testing::Weights::kFromNormal, testing::Values::kHeavyTailed});
  AccuracyTable t;
  add_q8_convention_accuracy(d.w, d.x, "heavy-tailed", reference_gemv_f32(d.w, d.x), t);
  ASSERT_EQ(t.size(), 2u);
  const AccuracyStats& sum_x = t.at(accuracy_key(kQ8SumOfX, "heavy-tailed"));
  const AccuracyStats& d_sum_q = t.at(accuracy_key(kQ8DTimesSumQ, "heavy-tailed"));
  EXPECT_EQ(sum_x.rows, 16);
  EXPECT_EQ(d_sum_q.rows, 16);
  EXPECT_NE(sum_x.worst_row, d_sum_q.worst_row);
  EXPECT_GT(sum_x.worst_row, 0);
  EXPECT_LT(d_sum_q.worst_row, 0.05);  // Q8_1 keeps about two decimal digits per value

  // Verify hands over the references it checked the Q8 paths of each convention on; the rows
  // must not change (so mwv_q8_dsum's reference is the d * sum q row's arithmetic bit for bit).
  AccuracyTable given;
  const ReferenceGemv q8 = reference_for_path(Path::kQ4KQ8, d.w, d.x);
  const ReferenceGemv q8_d_sum = reference_for_path(Path::kMwvQ8Dsum, d.w, d.x);
  add_q8_convention_accuracy(d.w, d.x, "heavy-tailed", reference_gemv_f32(d.w, d.x), given, &q8,
                             &q8_d_sum);
  ASSERT_EQ(given.size(), t.size());
  for (const auto& [key, a] : t) EXPECT_EQ(given.at(key).encode(), a.encode()) << key;
}

}  // namespace
}  // namespace qgemv
