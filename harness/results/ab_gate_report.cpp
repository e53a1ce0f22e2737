#include "harness/results/ab_gate_report.h"

#include <cmath>
#include <cstdio>
#include <map>

namespace qgemv {
namespace {

std::string fixed(double v, const char* format) {
  if (!std::isfinite(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string interval(const AbRow& r) {
  std::string out = "[";
  out += fixed(r.ratio_lo, "%.4f");
  out += ", ";
  out += fixed(r.ratio_hi, "%.4f");
  out += ']';
  return out;
}

// The order rows are listed in: what needs a reader's attention first.
int rank(AbVerdict v) {
  switch (v) {
    case AbVerdict::kSlower:
      return 0;
    case AbVerdict::kFaster:
      return 1;
    case AbVerdict::kAmbiguous:
      return 2;
    case AbVerdict::kSame:
      return 3;
  }
  return 4;
}

// A markdown cell: a '|' would end it.
std::string cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string ab_markdown(const std::vector<AbRow>& rows) {
  std::map<AbVerdict, int> counts;
  for (const AbRow& r : rows) ++counts[r.verdict];
  std::string out = std::to_string(rows.size()) +
                    " rows: " + std::to_string(counts[AbVerdict::kSlower]) + " slower, " +
                    std::to_string(counts[AbVerdict::kFaster]) + " faster, " +
                    std::to_string(counts[AbVerdict::kSame]) + " same, " +
                    std::to_string(counts[AbVerdict::kAmbiguous]) + " ambiguous";
  if (!rows.empty())
    out += "; base " + cell(rows[0].base_revision) + ", candidate " +
           cell(rows[0].candidate_revision) + ", threshold " + fixed(rows[0].threshold_pct, "%g") +
           "%";
  out += "\n\n| row | base us | new us | ratio | interval | verdict | processes |\n";
  out += "| --- | ---: | ---: | ---: | --- | --- | --- |\n";
  for (int k = 0; k < 4; ++k)
    for (const AbRow& r : rows)
      if (rank(r.verdict) == k)
        out += "| " + cell(r.key) + " | " + fixed(r.base_median_us, "%.3f") + " | " +
               fixed(r.candidate_median_us, "%.3f") + " | " + fixed(r.ratio, "%.4f") + " | " +
               interval(r) + " | " + std::string(verdict_name(r.verdict)) + " | " +
               cell(r.process_verdicts) + " |\n";
  return out;
}

std::vector<JunitCase> ab_junit_cases(const std::vector<AbRow>& rows) {
  std::vector<JunitCase> out;
  for (const AbRow& r : rows) {
    JunitCase j;
    // "kernel/qwen2.5-1.5b/down/..." -> "bench.ab.kernel.qwen2.5-1.5b"
    const size_t first = r.key.find('/');
    const size_t second = first == std::string::npos ? first : r.key.find('/', first + 1);
    std::string group = r.key.substr(0, second);
    for (char& c : group)
      if (c == '/') c = '.';
    j.classname = "bench.ab." + group;
    j.name = r.key;
    j.seconds = r.candidate_median_us * 1e-6;
    if (r.verdict == AbVerdict::kSlower) {
      j.outcome = JunitCase::Outcome::kFailed;
      j.details = "base " + fixed(r.base_median_us, "%.3f") + " us -> new " +
                  fixed(r.candidate_median_us, "%.3f") + " us, x" + fixed(r.ratio, "%.4f") + " " +
                  interval(r) + " at " + fixed(r.confidence, "%g") + " confidence, threshold " +
                  fixed(r.threshold_pct, "%g") + "%; " + std::to_string(r.pairs) +
                  " pairs; processes " + r.process_verdicts;
      j.message = "slower: " + j.details;
    }
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace qgemv
