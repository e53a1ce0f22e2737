#include "harness/verify/accuracy.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace qgemv {
namespace {

constexpr double kBinsPerDecade = 8;

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

}  // namespace

void LogHistogram::add(double v) {
  const int bin = !(v < HUGE_VAL) ? kInfinite
                  : v > 0         ? int(std::floor(std::log10(v) * kBinsPerDecade))
                                  : kZero;
  ++bins_[bin];
  ++count_;
}

void LogHistogram::merge(const LogHistogram& other) {
  for (const auto& [bin, n] : other.bins_) bins_[bin] += n;
  count_ += other.count_;
}

double LogHistogram::quantile(double q) const {
  if (count_ == 0) return std::nan("");
  const int64_t target = std::min<int64_t>(count_ - 1, int64_t(q * double(count_)));
  int64_t seen = 0;
  for (const auto& [bin, n] : bins_) {
    seen += n;
    if (seen > target)
      return bin == kZero       ? 0.0
             : bin == kInfinite ? HUGE_VAL
                                : std::pow(10.0, (bin + 0.5) / kBinsPerDecade);
  }
  return std::nan("");
}

// "bin:count,bin:count,..."
std::string LogHistogram::encode() const {
  std::string out;
  for (const auto& [bin, n] : bins_) {
    if (!out.empty()) out += ',';
    out += std::to_string(bin);
    out += ':';
    out += std::to_string(n);
  }
  return out;
}

LogHistogram LogHistogram::decode(const std::string& s) {
  LogHistogram h;
  std::istringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    const size_t colon = item.find(':');
    if (colon == std::string::npos) throw std::invalid_argument("histogram bin '" + item + "'");
    const int64_t n = std::stoll(item.substr(colon + 1));
    h.bins_[std::stoi(item.substr(0, colon))] += n;
    h.count_ += n;
  }
  return h;
}

void AccuracyStats::add_case(std::span<const double> y, const Eigen::VectorXd& exact,
                             const Eigen::VectorXd& abs_terms) {
  ++cases;
  double err2 = 0, ref2 = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    const double e = y[i] - exact[Eigen::Index(i)];
    err2 += e * e;
    ref2 += exact[Eigen::Index(i)] * exact[Eigen::Index(i)];
    const double scale = abs_terms[Eigen::Index(i)];
    if (!(scale > 0)) continue;
    const double rel = std::isfinite(e) ? std::fabs(e) / scale : HUGE_VAL;
    ++rows;
    worst_row = std::max(worst_row, rel);
    row_errors.add(rel);
  }
  if (ref2 > 0) {
    const double v = std::isfinite(err2) ? err2 / ref2 : HUGE_VAL;
    worst_nmse = std::max(worst_nmse, v);
    nmse.add(v);
  }
}

void AccuracyStats::merge(const AccuracyStats& o) {
  cases += o.cases;
  rows += o.rows;
  worst_row = std::max(worst_row, o.worst_row);
  row_errors.merge(o.row_errors);
  worst_nmse = std::max(worst_nmse, o.worst_nmse);
  nmse.merge(o.nmse);
}

// Space-separated: cases rows worst_row worst_nmse row_histogram nmse_histogram.
std::string AccuracyStats::encode() const {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%lld %lld %.17g %.17g ", static_cast<long long>(cases),
                static_cast<long long>(rows), worst_row, worst_nmse);
  std::string out = buf;
  out += row_errors.encode().empty() ? "-" : row_errors.encode();
  out += ' ';
  out += nmse.encode().empty() ? "-" : nmse.encode();
  return out;
}

AccuracyStats AccuracyStats::decode(const std::string& s) {
  std::istringstream in(s);
  AccuracyStats a;
  // strtod reads "inf" (>> does not) and subnormals (std::stod throws on them).
  std::string worst_row, worst_nmse, rows_h, nmse_h;
  if (!(in >> a.cases >> a.rows >> worst_row >> worst_nmse >> rows_h >> nmse_h))
    throw std::invalid_argument("accuracy statistics '" + s + "'");
  a.worst_row = std::strtod(worst_row.c_str(), nullptr);
  a.worst_nmse = std::strtod(worst_nmse.c_str(), nullptr);
  if (rows_h != "-") a.row_errors = LogHistogram::decode(rows_h);
  if (nmse_h != "-") a.nmse = LogHistogram::decode(nmse_h);
  return a;
}

double AccuracyStats::median_row() const { return std::min(row_errors.quantile(0.5), worst_row); }

double AccuracyStats::median_nmse() const { return std::min(nmse.quantile(0.5), worst_nmse); }

std::string accuracy_key(const std::string& row, const std::string& input) {
  return row + "\t" + input;
}

std::string render_accuracy(const AccuracyTable& t) {
  std::ostringstream os;
  os << "| path | input | cases | rows | worst row error | median row error (approx.) | worst NMSE "
        "| median NMSE (approx.) |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n";
  for (const auto& [key, a] : t) {
    const size_t tab = key.find('\t');
    os << "| " << key.substr(0, tab) << " | " << key.substr(tab + 1) << " | " << a.cases << " | "
       << a.rows << " | " << (a.rows ? number(a.worst_row) : "-") << " | "
       << (a.rows ? number(a.median_row()) : "-") << " | "
       << (a.nmse.count() ? number(a.worst_nmse) : "-") << " | "
       << (a.nmse.count() ? number(a.median_nmse()) : "-") << " |\n";
  }
  return os.str();
}

}  // namespace qgemv
