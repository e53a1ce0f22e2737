#include "harness/results/ab_rows.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "harness/io/csv_cell.h"
#include "harness/results/csv_file.h"

namespace qgemv {
namespace {

constexpr const char* kColumns[] = {"ab_schema_version",
                                    "key",
                                    "device",
                                    "base_revision",
                                    "candidate_revision",
                                    "base_median_us",
                                    "candidate_median_us",
                                    "ratio",
                                    "ratio_lo",
                                    "ratio_hi",
                                    "confidence",
                                    "threshold_pct",
                                    "pairs",
                                    "rounds",
                                    "verdict",
                                    "base_samples",
                                    "candidate_samples",
                                    "sm_mhz",
                                    "mem_mhz",
                                    "throttle_discards",
                                    "processes",
                                    "process_verdicts"};
constexpr size_t kColumnCount = std::size(kColumns);

// An A/B CSV holds one line per case of a suite: far below this.
constexpr size_t kMaxFileBytes = size_t(64) << 20;

std::string number(double v) {
  if (!std::isfinite(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

std::string ab_rows_csv(const std::vector<AbRow>& rows) {
  std::string out;
  for (size_t i = 0; i < kColumnCount; ++i) {
    if (i > 0) out += ',';
    out += kColumns[i];
  }
  out += '\n';
  for (const AbRow& r : rows) {
    const std::string cells[kColumnCount] = {std::to_string(kAbSchemaVersion),
                                             r.key,
                                             r.device,
                                             r.base_revision,
                                             r.candidate_revision,
                                             number(r.base_median_us),
                                             number(r.candidate_median_us),
                                             number(r.ratio),
                                             number(r.ratio_lo),
                                             number(r.ratio_hi),
                                             number(r.confidence),
                                             number(r.threshold_pct),
                                             std::to_string(r.pairs),
                                             std::to_string(r.rounds),
                                             std::string(verdict_name(r.verdict)),
                                             std::to_string(r.base_samples),
                                             std::to_string(r.candidate_samples),
                                             number(r.sm_mhz),
                                             number(r.mem_mhz),
                                             std::to_string(r.throttle_discards),
                                             std::to_string(r.processes),
                                             r.process_verdicts};
    for (size_t i = 0; i < kColumnCount; ++i) {
      if (i > 0) out += ',';
      out += csv_cell(cells[i]);
    }
    out += '\n';
  }
  return out;
}

std::vector<AbRow> read_ab_csv(const std::string& path) {
  const std::vector<CsvRecord> records = read_csv_file(path, kMaxFileBytes, "an A/B file");
  const std::map<std::string, size_t> column = header_columns(path, records[0]);
  for (const char* c : kColumns)
    if (!column.contains(c))
      fail_at(path, records[0].line, std::string("no column ") + c + "; not an A/B file");
  std::vector<AbRow> rows;
  std::set<std::string> keys;
  for (size_t ri = 1; ri < records.size(); ++ri) {
    const CsvRecord& rec = records[ri];
    if (rec.fields.size() != records[0].fields.size())
      fail_at(path, rec.line,
              std::to_string(rec.fields.size()) + " fields, the header has " +
                  std::to_string(records[0].fields.size()));
    const RowCells cells(path, rec, column);
    const auto cell = [&](const char* c) -> const std::string& { return cells.text(c); };
    const auto integer = [&](const char* c) { return cells.integer(c); };
    const auto real = [&](const char* c) { return cells.real(c); };
    const auto bound = [&](const char* c) { return cell(c) == "-" ? NAN : real(c); };
    if (integer("ab_schema_version") != kAbSchemaVersion)
      fail_at(path, rec.line,
              "ab_schema_version " + cell("ab_schema_version") + "; this qgemv reads " +
                  std::to_string(kAbSchemaVersion));
    AbRow r;
    r.key = cell("key");
    if (!keys.insert(r.key).second) fail_at(path, rec.line, "key " + r.key + " given twice");
    r.device = cell("device");
    r.base_revision = cell("base_revision");
    r.candidate_revision = cell("candidate_revision");
    r.base_median_us = real("base_median_us");
    r.candidate_median_us = real("candidate_median_us");
    r.ratio = real("ratio");
    r.ratio_lo = bound("ratio_lo");
    r.ratio_hi = bound("ratio_hi");
    r.confidence = real("confidence");
    r.threshold_pct = real("threshold_pct");
    r.pairs = integer("pairs");
    r.rounds = integer("rounds");
    const auto v = verdict_from_name(cell("verdict"));
    if (!v)
      fail_at(path, rec.line,
              "column verdict: expected same, slower, faster or ambiguous, got '" +
                  cell("verdict") + "'");
    r.verdict = *v;
    r.base_samples = integer("base_samples");
    r.candidate_samples = integer("candidate_samples");
    r.sm_mhz = real("sm_mhz");
    r.mem_mhz = real("mem_mhz");
    r.throttle_discards = integer("throttle_discards");
    r.processes = integer("processes");
    r.process_verdicts = cell("process_verdicts");
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace qgemv
