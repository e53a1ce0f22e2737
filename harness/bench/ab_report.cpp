#include "harness/bench/ab_report.h"

#include <cmath>
#include <cstdio>

namespace qgemv {
namespace {

std::string number(double v, const char* format = "%.6g") {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

}  // namespace

std::vector<AbRow> ab_rows(const AbRunInfo& info, const std::vector<AbResult>& rows) {
  std::vector<AbRow> out;
  for (const AbResult& r : rows) {
    AbRow a;
    a.key = r.name;
    a.device = info.device;
    a.base_revision = info.base_revision;
    a.candidate_revision = info.candidate_revision;
    a.base_median_us = r.base.median;
    a.candidate_median_us = r.candidate.median;
    a.ratio = r.ratio.ratio();
    // NaN where there were too few pairs for an interval.
    a.ratio_lo = r.ratio.bounded() ? r.ratio.ratio_lo() : NAN;
    a.ratio_hi = r.ratio.bounded() ? r.ratio.ratio_hi() : NAN;
    a.confidence = info.confidence;
    a.threshold_pct = info.threshold * 100;
    a.pairs = r.ratio.pairs;
    a.rounds = r.rounds;
    a.verdict = r.verdict;
    a.base_samples = r.base.count;
    a.candidate_samples = r.candidate.count;
    a.sm_mhz = r.sm_mhz;
    a.mem_mhz = r.mem_mhz;
    a.throttle_discards = r.throttle_discards;
    a.processes = 1;
    a.process_verdicts = std::string(verdict_name(r.verdict));
    out.push_back(std::move(a));
  }
  return out;
}

std::string ab_line(const AbResult& r) {
  return r.name + "  base " + number(r.base.median, "%.3f") + " us  new " +
         number(r.candidate.median, "%.3f") + " us  x" + number(r.ratio.ratio(), "%.4f") +
         (r.ratio.bounded()
              ? " [" + number(r.ratio.ratio_lo()) + ", " + number(r.ratio.ratio_hi()) + "]  "
              : " [-, -]  ") +
         std::to_string(r.ratio.pairs) + " pairs  " + std::string(verdict_name(r.verdict));
}

}  // namespace qgemv
