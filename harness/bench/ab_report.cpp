#include "harness/bench/ab_report.h"

#include <cmath>
#include <cstdio>

#include "harness/io/csv_cell.h"

namespace qgemv {
namespace {

std::string number(double v, const char* format = "%.6g") {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// An interval bound, or "-" when there were too few pairs for one.
std::string bound(double ratio) { return std::isfinite(ratio) && ratio > 0 ? number(ratio) : "-"; }

}  // namespace

std::string ab_csv(const AbRunInfo& info, const std::vector<AbKernelResult>& rows) {
  std::string out =
      "ab_schema_version,key,device,base_revision,candidate_revision,base_median_us,"
      "candidate_median_us,ratio,ratio_lo,ratio_hi,confidence,threshold_pct,pairs,rounds,"
      "verdict,base_samples,candidate_samples,sm_mhz,mem_mhz,throttle_discards\n";
  for (const AbKernelResult& r : rows) {
    const std::vector<std::string> cells = {std::to_string(kAbSchemaVersion),
                                            r.name,
                                            info.device,
                                            info.base_revision,
                                            info.candidate_revision,
                                            number(r.base.median),
                                            number(r.candidate.median),
                                            number(r.ratio.ratio()),
                                            bound(r.ratio.ratio_lo()),
                                            bound(r.ratio.ratio_hi()),
                                            number(info.confidence),
                                            number(info.threshold * 100),
                                            std::to_string(r.ratio.pairs),
                                            std::to_string(r.rounds),
                                            std::string(verdict_name(r.verdict)),
                                            std::to_string(r.base.count),
                                            std::to_string(r.candidate.count),
                                            number(r.sm_mhz),
                                            number(r.mem_mhz),
                                            std::to_string(r.throttle_discards)};
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) out += ',';
      out += csv_cell(cells[i]);
    }
    out += '\n';
  }
  return out;
}

std::string ab_line(const AbKernelResult& r) {
  return r.name + "  base " + number(r.base.median, "%.3f") + " us  new " +
         number(r.candidate.median, "%.3f") + " us  x" + number(r.ratio.ratio(), "%.4f") + " [" +
         bound(r.ratio.ratio_lo()) + ", " + bound(r.ratio.ratio_hi()) + "]  " +
         std::to_string(r.ratio.pairs) + " pairs  " + std::string(verdict_name(r.verdict));
}

}  // namespace qgemv
