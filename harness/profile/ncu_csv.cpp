#include "harness/profile/ncu_csv.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "harness/io/csv_records.h"

namespace qgemv::profile {
namespace {

// ncu scales a column's unit to its values' magnitude (SI prefixes, 1000 apart, also for bytes).
double unit_scale(const std::string& unit) {
  struct Scaled {
    const char* unit;
    double scale;
  };
  static constexpr Scaled kUnits[] = {
      {"byte", 1},           {"Kbyte", 1e3},        {"Mbyte", 1e6},        {"Gbyte", 1e9},
      {"Tbyte", 1e12},       {"nsecond", 1},        {"usecond", 1e3},      {"msecond", 1e6},
      {"second", 1e9},       {"cycle", 1},          {"Kcycle", 1e3},       {"Mcycle", 1e6},
      {"Kbyte/second", 1e3}, {"Mbyte/second", 1e6}, {"Gbyte/second", 1e9}, {"Tbyte/second", 1e12},
      {"inst", 1},           {"Kinst", 1e3},        {"Minst", 1e6},        {"Kwarp", 1e3},
      {"Mwarp", 1e6},        {"Kthread", 1e3},      {"Mthread", 1e6},      {"Kblock", 1e3},
      {"Mblock", 1e6}};
  for (const Scaled& s : kUnits)
    if (unit == s.unit) return s.scale;
  return 1;
}

}  // namespace

std::optional<double> NcuKernelRow::metric(const std::string& name) const {
  const auto it = metrics.find(name);
  if (it == metrics.end()) return std::nullopt;
  return it->second;
}

std::optional<double> ncu_value(const std::string& value, const std::string& unit) {
  std::string digits;
  for (char c : value)
    if (c != ',' && c != ' ') digits += c;
  if (digits.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(digits.c_str(), &end);
  if (end != digits.c_str() + digits.size() || errno == ERANGE || !std::isfinite(v))
    return std::nullopt;
  return v * unit_scale(unit);
}

std::vector<NcuKernelRow> parse_ncu_raw_csv(std::string_view text) {
  // ncu prints its own notes (==PROF==, ==WARNING==) before the table; they are not CSV.
  const size_t header_at = text.find("\"ID\",");
  if (header_at == std::string_view::npos)
    throw NcuCsvError("no ncu raw CSV header (a row starting \"ID\") in ncu's output");
  const std::vector<CsvRecord> records = split_csv_records(text.substr(header_at));
  const std::vector<std::string>& header = records.front().fields;
  size_t first = 1;
  std::vector<std::string> units(header.size());
  // The units row has no launch ID.
  if (records.size() > 1 && records[1].fields.size() == header.size() &&
      records[1].fields[0].empty()) {
    units = records[1].fields;
    first = 2;
  }
  std::vector<NcuKernelRow> rows;
  for (size_t r = first; r < records.size(); ++r) {
    const CsvRecord& rec = records[r];
    if (rec.fields.size() != header.size())
      throw NcuCsvError("ncu CSV row " + std::to_string(r + 1) + " has " +
                        std::to_string(rec.fields.size()) + " columns, the header " +
                        std::to_string(header.size()));
    NcuKernelRow row;
    const auto id = ncu_value(rec.fields[0], "");
    if (!id) throw NcuCsvError("ncu CSV row " + std::to_string(r + 1) + ": ID is not a number");
    row.id = int(*id);
    for (size_t c = 0; c < header.size(); ++c) {
      row.text[header[c]] = rec.fields[c];
      // Metric names hold a '__' (dram__bytes_read.sum); the launch columns do not.
      if (header[c].find("__") == std::string::npos) continue;
      if (const auto v = ncu_value(rec.fields[c], units[c])) row.metrics[header[c]] = *v;
    }
    row.kernel = row.text["Kernel Name"];
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace qgemv::profile
