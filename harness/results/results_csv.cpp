#include "harness/results/results_csv.h"

#include <csv.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "harness/io/atomic_write.h"
#include "harness/io/csv_cell.h"

namespace qgemv {
namespace {

std::string number(double v) {
  std::ostringstream os;
  os.precision(9);
  os << v;
  return os.str();
}

using Reader = io::CSVReader<27, io::trim_chars<' ', '\t'>, io::double_quote_escape<',', '"'>,
                             io::throw_on_overflow, io::no_comment>;

[[noreturn]] void fail(const std::string& path, long line, const std::string& what) {
  throw ResultsFileError(path + ":" + std::to_string(line) + ": " + what);
}

void check_row(const std::string& path, long line, const ResultRow& r) {
  if (r.schema_version != kResultsSchemaVersion)
    fail(path, line,
         "schema_version " + std::to_string(r.schema_version) +
             " is not supported (this qgemv reads version " +
             std::to_string(kResultsSchemaVersion) + ")");
  for (double v : {r.ceiling_gbps, r.median_us, r.p10_us, r.p90_us, r.gbps, r.pct_ceiling, r.gpu_us,
                   r.kernel_us, r.alloc_us, r.launch_us, r.sync_us})
    if (!std::isfinite(v) || v < 0) fail(path, line, "timings must be finite and non-negative");
  if (r.median_us <= 0) fail(path, line, "median_us must be positive");
  if (r.p10_us > r.median_us || r.median_us > r.p90_us)
    fail(path, line, "expected p10_us <= median_us <= p90_us");
  if (r.suite != "kernel" && r.suite != "token")
    fail(path, line, "suite must be 'kernel' or 'token', got '" + r.suite + "'");
  if (r.repetitions <= 0) fail(path, line, "repetitions must be positive");
  if (r.allocations < 0 || r.launches < 0)
    fail(path, line, "allocations and launches must be non-negative");
}

}  // namespace

void write_results_csv(std::ostream& os, const std::vector<ResultRow>& rows) {
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
       << r.allocations << ',' << r.launches << "\n";
  }
}

void write_results_file(const std::string& path, const std::vector<ResultRow>& rows) {
  try {
    write_file_atomically(path, std::ios::out,
                          [&](std::ostream& os) { write_results_csv(os, rows); });
  } catch (const std::runtime_error& e) {
    throw ResultsFileError(e.what());
  }
}

std::vector<ResultRow> read_results_file(const std::string& path) {
  std::vector<ResultRow> rows;
  std::map<std::string, long> seen;
  try {
    Reader in(path);
    in.read_header(io::ignore_extra_column, "schema_version", "suite", "preset", "projection",
                   "path", "mode", "n", "k", "device", "driver", "cuda_runtime", "git_rev",
                   "ceiling_gbps", "repetitions", "median_us", "p10_us", "p90_us", "bytes", "gbps",
                   "pct_ceiling", "gpu_us", "kernel_us", "alloc_us", "launch_us", "sync_us",
                   "allocations", "launches");
    ResultRow r;
    while (in.read_row(r.schema_version, r.suite, r.preset, r.projection, r.path, r.mode, r.n, r.k,
                       r.device, r.driver, r.cuda_runtime, r.git_rev, r.ceiling_gbps, r.repetitions,
                       r.median_us, r.p10_us, r.p90_us, r.bytes, r.gbps, r.pct_ceiling, r.gpu_us,
                       r.kernel_us, r.alloc_us, r.launch_us, r.sync_us, r.allocations,
                       r.launches)) {
      const long line = long(in.get_file_line());
      check_row(path, line, r);
      const auto [it, fresh] = seen.emplace(r.key(), line);
      if (!fresh)
        fail(path, line,
             "duplicate row " + r.key() + " (first at line " + std::to_string(it->second) + ")");
      rows.push_back(r);
    }
  } catch (const io::error::base& e) {
    throw ResultsFileError(std::string(e.what()));
  }
  return rows;
}

}  // namespace qgemv
