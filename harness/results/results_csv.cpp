#include "harness/results/results_csv.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <optional>

#include "harness/io/atomic_write.h"
#include "harness/io/csv_cell.h"
#include "harness/results/csv_file.h"

namespace qgemv {
namespace {

// The shortest text that reads back as the same double.
std::string number(double v) {
  std::array<char, 64> buf;
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return std::string(buf.data(), end);
}

// Version 2 lacks the clock columns; its rows are read as version 3 rows that did not
// record them (the defaults of ResultRow say "not read").
constexpr int kOldestReadableVersion = 2;

ResultRow parse_row(const RowCells& c, bool has_version3_columns) {
  ResultRow r;
  // Checked first: the other columns mean what this version says only in this version.
  const int64_t version = c.integer("schema_version");
  if (version < kOldestReadableVersion || version > kResultsSchemaVersion)
    c.fail("schema_version " + std::to_string(version) +
           " is not supported (this qgemv reads versions " +
           std::to_string(kOldestReadableVersion) + " to " + std::to_string(kResultsSchemaVersion) +
           ")");
  if (version >= 3 && !has_version3_columns)
    c.fail("a version 3 row, but the header lacks the version 3 columns (sm_mhz, ...)");
  r.schema_version = kResultsSchemaVersion;
  r.suite = c.text("suite");
  r.preset = c.text("preset");
  r.projection = c.text("projection");
  r.path = c.text("path");
  r.mode = c.text("mode");
  r.n = c.integer("n");
  r.k = c.integer("k");
  r.device = c.text("device");
  r.driver = c.text("driver");
  r.cuda_runtime = c.text("cuda_runtime");
  r.git_rev = c.text("git_rev");
  r.ceiling_gbps = c.real("ceiling_gbps");
  r.repetitions = c.integer("repetitions");
  r.median_us = c.real("median_us");
  r.p10_us = c.real("p10_us");
  r.p90_us = c.real("p90_us");
  r.bytes = c.integer("bytes");
  r.gbps = c.real("gbps");
  r.pct_ceiling = c.real("pct_ceiling");
  r.gpu_us = c.real("gpu_us");
  r.kernel_us = c.real("kernel_us");
  r.alloc_us = c.real("alloc_us");
  r.launch_us = c.real("launch_us");
  r.sync_us = c.real("sync_us");
  r.allocations = c.integer("allocations");
  r.launches = c.integer("launches");
  if (version >= 3) {
    r.sm_mhz = c.real("sm_mhz");
    r.mem_mhz = c.real("mem_mhz");
    r.clocks_locked = c.integer("clocks_locked");
    r.throttle_discards = c.integer("throttle_discards");
    r.throttle_reasons = c.text("throttle_reasons");
    r.noise_pct = c.real("noise_pct");
  }
  return r;
}

}  // namespace

void write_results_csv(std::ostream& os, const std::vector<ResultRow>& rows) {
  for (const ResultRow& r : rows)
    if (const auto problem = row_problem(r))
      throw ResultsFileError("refusing to write row " + r.key() + ": " + *problem);
  const auto& cols = result_columns();
  for (size_t i = 0; i < cols.size(); ++i) os << (i ? "," : "") << cols[i];
  os << "\n";
  for (const ResultRow& r : rows) {
    os << r.schema_version << ',' << csv_cell(r.suite) << ',' << csv_cell(r.preset) << ','
       << csv_cell(r.projection) << ',' << csv_cell(r.path) << ',' << csv_cell(r.mode) << ',' << r.n
       << ',' << r.k << ',' << csv_cell(r.device) << ',' << csv_cell(r.driver) << ','
       << csv_cell(r.cuda_runtime) << ',' << csv_cell(r.git_rev) << ',' << number(r.ceiling_gbps)
       << ',' << r.repetitions << ',' << number(r.median_us) << ',' << number(r.p10_us) << ','
       << number(r.p90_us) << ',' << r.bytes << ',' << number(r.gbps) << ','
       << number(r.pct_ceiling) << ',' << number(r.gpu_us) << ',' << number(r.kernel_us) << ','
       << number(r.alloc_us) << ',' << number(r.launch_us) << ',' << number(r.sync_us) << ','
       << r.allocations << ',' << r.launches << ',' << number(r.sm_mhz) << ',' << number(r.mem_mhz)
       << ',' << r.clocks_locked << ',' << r.throttle_discards << ','
       << csv_cell(r.throttle_reasons) << ',' << number(r.noise_pct) << "\n";
  }
}

void write_results_file(const std::string& path, const std::vector<ResultRow>& rows) {
  try {
    write_file_atomically(path, std::ios::out,
                          [&](std::ostream& os) { write_results_csv(os, rows); });
  } catch (const ResultsFileError& e) {
    throw ResultsFileError(path + ": " + e.what());
  } catch (const std::runtime_error& e) {
    throw ResultsFileError(e.what());
  }
}

// A results file holds a few hundred rows (130 KB for the full suite); this bounds what a
// device (/dev/zero) or a wrong file can make the reader hold.
constexpr size_t kMaxResultsFileBytes = size_t(256) << 20;

std::vector<ResultRow> read_results_file(const std::string& path) {
  const std::vector<CsvRecord> records =
      read_csv_file(path, kMaxResultsFileBytes, "a results file");
  const CsvRecord& header = records[0];
  const std::map<std::string, size_t> at = header_columns(path, header);
  const std::span<const std::string> v3 = columns_added_in_version3();
  std::string missing;
  for (const std::string& col : result_columns())
    if (!at.count(col) && std::find(v3.begin(), v3.end(), col) == v3.end()) {
      if (!missing.empty()) missing += ", ";
      missing += col;
    }
  if (!missing.empty()) fail_at(path, header.line, "header lacks column(s) " + missing);
  const bool has_v3 =
      std::all_of(v3.begin(), v3.end(), [&](const std::string& col) { return at.count(col); });

  std::vector<ResultRow> rows;
  std::map<std::string, long> seen;
  for (size_t i = 1; i < records.size(); ++i) {
    const CsvRecord& rec = records[i];
    if (rec.fields.size() != header.fields.size())
      fail_at(path, rec.line,
              std::to_string(rec.fields.size()) + " fields, but the header (line " +
                  std::to_string(header.line) + ") has " + std::to_string(header.fields.size()));
    const ResultRow r = parse_row(RowCells(path, rec, at), has_v3);
    if (const auto problem = row_problem(r)) fail_at(path, rec.line, *problem);
    const auto [it, fresh] = seen.emplace(r.key(), rec.line);
    if (!fresh)
      fail_at(path, rec.line,
              "duplicate row " + r.key() + " (first at line " + std::to_string(it->second) + ")");
    // One file is one run; compare and merge check devices file against file.
    if (!rows.empty() && r.device != rows[0].device)
      fail_at(path, rec.line,
              "device '" + r.device + "' differs from '" + rows[0].device + "' on line " +
                  std::to_string(records[1].line) + " (a results file holds one device's run)");
    rows.push_back(r);
  }
  return rows;
}

}  // namespace qgemv
