#include "harness/results/compare.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "harness/bench/sample_stats.h"
#include "harness/io/csv_cell.h"
#include "harness/results/rank_test.h"

namespace qgemv {
namespace {

Verdict judge(const ResultRow& b, const ResultRow& n, double threshold, const CompareOptions& opt,
              std::optional<double> p_value) {
  // Counts do not drift between processes as host time does: a token that allocates or
  // launches more than its baseline regressed, whatever its time says.
  if (n.allocations > b.allocations || n.launches > b.launches) return Verdict::kSlower;
  const double change = n.median_us / b.median_us - 1.0;
  if (std::fabs(change) <= threshold) return Verdict::kNoChange;
  const Verdict moved = change > 0 ? Verdict::kSlower : Verdict::kFaster;
  if (p_value && opt.rule != GateRule::kInterval)
    return *p_value < opt.alpha ? moved : Verdict::kNoChange;
  if (change > 0 && n.p10_us > b.p90_us) return Verdict::kSlower;
  if (change < 0 && n.p90_us < b.p10_us) return Verdict::kFaster;
  return Verdict::kNoChange;  // within the noise both runs measured
}

// The samples of a row, which must be the ones its summary was made of: as many as its
// repetitions (a merged row's are its runs' summed). Samples of another run, or of no run,
// would let the test judge numbers the row does not hold.
const std::vector<double>& row_samples(const SamplesByKey& s, const std::string& side,
                                       const ResultRow& r) {
  const auto it = s.find(r.key());
  if (it == s.end() || it->second.empty())
    throw std::runtime_error("no samples of " + r.key() + " in the " + side +
                             " run's samples file(s)");
  if (int64_t(it->second.size()) != r.repetitions)
    throw std::runtime_error(side + " samples of " + r.key() + ": " +
                             std::to_string(it->second.size()) + " samples, but the row says " +
                             std::to_string(r.repetitions) +
                             " repetitions (samples of another run?)");
  // A row's median is its samples' (bench), or a mean of its runs' medians clamped to the
  // runs' widest p10..p90 (merge); both lie within the row's p10..p90, and so does the median
  // of the row's own samples, whether one run's or several pooled. Samples whose median falls
  // outside it (slack for a hand-written file's rounding) are another run's.
  const double median = sample_stats(it->second).median;
  const double slack = 1e-9 * r.median_us;
  if (median < r.p10_us - slack || median > r.p90_us + slack) {
    std::ostringstream os;
    os << side << " samples of " << r.key() << ": their median " << median
       << " us lies outside the row's p10-p90 (" << r.p10_us << "-" << r.p90_us << " us, median "
       << r.median_us << " us): samples of another run?";
    throw std::runtime_error(os.str());
  }
  return it->second;
}

double rank_p_value(const CompareSamples& s, const ResultRow& base, const ResultRow& next) {
  return mann_whitney_p(row_samples(s.base, "base", base), row_samples(s.next, "new", next));
}

std::set<std::string> devices(const std::vector<ResultRow>& rows) {
  std::set<std::string> d;
  for (const ResultRow& r : rows) d.insert(r.device);
  return d;
}

std::string join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& e : s) out += (out.empty() ? "" : ", ") + e;
  return out;
}

}  // namespace

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kNoChange:
      return "no change";
    case Verdict::kFaster:
      return "faster";
    case Verdict::kSlower:
      return "REGRESSION";
    case Verdict::kOnlyInBase:
      return "only in base";
    case Verdict::kOnlyInNew:
      return "only in new";
  }
  return "?";
}

int Comparison::regressions() const {
  int c = 0;
  for (const auto& r : rows) c += r.verdict == Verdict::kSlower;
  return c;
}

int Comparison::improvements() const {
  int c = 0;
  for (const auto& r : rows) c += r.verdict == Verdict::kFaster;
  return c;
}

int Comparison::only_in_base() const {
  int c = 0;
  for (const auto& r : rows) c += r.verdict == Verdict::kOnlyInBase;
  return c;
}

int Comparison::only_in_new() const {
  int c = 0;
  for (const auto& r : rows) c += r.verdict == Verdict::kOnlyInNew;
  return c;
}

bool Comparison::failed(const CompareOptions& opt) const {
  return regressions() > 0 || (!opt.allow_missing && only_in_base() > 0);
}

double threshold_for(const ResultRow& r, const CompareOptions& opt) {
  const bool host_bound =
      r.suite == "token" && (r.mode == "alloc" || r.mode == "pool" || r.mode == "workspace");
  if (host_bound) return opt.host_threshold;
  if (r.suite == "token" && r.mode == "graph") return opt.graph_threshold;
  return r.suite == "kernel" && r.mode == "-" ? opt.launch_threshold : opt.threshold;
}

Comparison compare_results(const std::vector<ResultRow>& base, const std::vector<ResultRow>& next,
                           const CompareOptions& opt, const std::string& base_name,
                           const std::string& next_name,
                           const std::optional<CompareSamples>& samples) {
  if (opt.rule == GateRule::kRank && !samples)
    throw std::runtime_error(
        "the rank rule needs both runs' samples (--base-samples and "
        "--new-samples, written by bench --samples-out)");
  // An empty baseline would pass every run: a gate that compares nothing says so.
  if (base.empty())
    throw std::runtime_error(base_name + ": the baseline has no rows, so nothing can be compared");
  if (!opt.allow_device_mismatch && !next.empty() && devices(base) != devices(next))
    throw std::runtime_error("files measured different devices: " + base_name + " has [" +
                             join(devices(base)) + "], " + next_name + " has [" +
                             join(devices(next)) + "] (--allow-device-mismatch compares anyway)");
  std::map<std::string, const ResultRow*> by_key;
  for (const ResultRow& r : next) by_key[r.key()] = &r;
  Comparison c;
  std::set<std::string> matched;
  for (const ResultRow& b : base) {
    ComparedRow row{b.key(), b, std::nullopt, 0, std::nullopt, Verdict::kOnlyInBase};
    if (auto it = by_key.find(row.key); it != by_key.end()) {
      row.next = *it->second;
      row.ratio = it->second->median_us / b.median_us;
      if (samples) row.p_value = rank_p_value(*samples, b, *it->second);
      row.verdict = judge(b, *it->second, threshold_for(b, opt), opt, row.p_value);
      matched.insert(row.key);
    }
    c.rows.push_back(row);
  }
  for (const ResultRow& n : next)
    if (!matched.count(n.key()))
      c.rows.push_back({n.key(), std::nullopt, n, 0, std::nullopt, Verdict::kOnlyInNew});
  return c;
}

std::string to_markdown(const Comparison& c, const CompareOptions& opt) {
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(2);
  const bool ranked = std::any_of(c.rows.begin(), c.rows.end(),
                                  [](const ComparedRow& r) { return r.p_value.has_value(); });
  os << "| case | base median us (p10-p90) | new median us (p10-p90) | new/base |"
     << (ranked ? " rank test p |" : "") << " verdict |\n"
     << "| --- | ---: | ---: | ---: |" << (ranked ? " ---: |" : "") << " --- |\n";
  auto cell = [&](const std::optional<ResultRow>& r) {
    std::ostringstream s;
    s.setf(std::ios::fixed);
    s.precision(2);
    if (r)
      s << r->median_us << " (" << r->p10_us << "-" << r->p90_us << ")";
    else
      s << "-";
    return s.str();
  };
  for (const ComparedRow& r : c.rows) {
    os << "| " << r.key << " | " << cell(r.base) << " | " << cell(r.next) << " | ";
    if (r.base && r.next)
      os << r.ratio;
    else
      os << "-";
    if (ranked) {
      os << " | ";
      if (r.p_value)
        os << std::defaultfloat << std::setprecision(2) << *r.p_value << std::fixed
           << std::setprecision(2);
      else
        os << "-";
    }
    os << " | " << verdict_name(r.verdict) << " |\n";
  }
  os << "\n"
     << c.regressions() << " regression(s), " << c.improvements() << " improvement(s), "
     << c.only_in_base() << " case(s) missing from the new run"
     << (c.only_in_base() > 0 && opt.allow_missing ? " (allowed by --allow-missing)" : "") << ", "
     << c.only_in_new() << " new case(s); a change is real when the median moves by more than "
     << opt.threshold * 100 << "% (" << opt.launch_threshold * 100
     << "% for one-launch kernel rows, " << opt.graph_threshold * 100
     << "% for token rows in graph mode, " << opt.host_threshold * 100
     << "% in the eager modes alloc, pool and workspace) and ";
  if (opt.rule == GateRule::kRank || (opt.rule == GateRule::kAuto && ranked))
    os << "a Mann-Whitney U test of the two runs' samples gives p < " << std::defaultfloat
       << opt.alpha << ".\n";
  else
    os << "the p10-p90 intervals do not overlap.\n";
  return os.str();
}

std::string to_csv(const Comparison& c) {
  std::ostringstream os;
  os.precision(10);
  os << "key,suite,mode,base_median_us,new_median_us,ratio,p_value,verdict\n";
  for (const ComparedRow& r : c.rows) {
    const ResultRow& any = r.base ? *r.base : *r.next;
    os << csv_cell(r.key) << ',' << csv_cell(any.suite) << ',' << csv_cell(any.mode) << ',';
    if (r.base) os << r.base->median_us;
    os << ',';
    if (r.next) os << r.next->median_us;
    os << ',';
    if (r.base && r.next) os << r.ratio;
    os << ',';
    if (r.p_value) os << *r.p_value;
    os << ',' << verdict_name(r.verdict) << '\n';
  }
  return os.str();
}

std::vector<JunitCase> junit_cases(const Comparison& c, const CompareOptions& opt) {
  std::vector<JunitCase> out;
  for (const ComparedRow& r : c.rows) {
    const ResultRow& any = r.base ? *r.base : *r.next;
    JunitCase j;
    j.classname = "compare." + any.suite + "." + any.preset;
    j.name = r.key;
    j.seconds = r.next ? r.next->median_us * 1e-6 : 0;
    std::ostringstream numbers;
    if (r.base && r.next)
      numbers << "median " << r.base->median_us << " us -> " << r.next->median_us << " us (x"
              << r.ratio << "); p10-p90 " << r.base->p10_us << "-" << r.base->p90_us << " us -> "
              << r.next->p10_us << "-" << r.next->p90_us << " us; threshold "
              << 100 * threshold_for(any, opt) << "%";
    if (r.p_value) numbers << "; rank test p " << *r.p_value;
    switch (r.verdict) {
      case Verdict::kSlower:
        j.outcome = JunitCase::Outcome::kFailed;
        j.message = "regression: " + numbers.str();
        j.details = numbers.str();
        break;
      case Verdict::kOnlyInBase:
        j.outcome = opt.allow_missing ? JunitCase::Outcome::kSkipped : JunitCase::Outcome::kFailed;
        j.message = opt.allow_missing ? "missing from the new run (allowed by --allow-missing)"
                                      : "missing from the new run";
        j.details = j.message;
        break;
      case Verdict::kOnlyInNew:
        j.outcome = JunitCase::Outcome::kSkipped;
        j.message = "new case: no baseline to compare with";
        break;
      case Verdict::kNoChange:
      case Verdict::kFaster:
        break;
    }
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace qgemv
