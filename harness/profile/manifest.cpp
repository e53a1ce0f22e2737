#include "harness/profile/manifest.h"

#include <stdexcept>

#include "harness/io/csv_cell.h"
#include "harness/io/csv_records.h"

namespace qgemv::profile {
namespace {

constexpr const char* kHeader = "label,n,k,per_token,min_bytes";

int64_t field_int(const CsvRecord& r, size_t i) {
  try {
    size_t used = 0;
    const long long v = std::stoll(r.fields[i], &used);
    if (used == r.fields[i].size() && v >= 0) return v;
  } catch (const std::exception&) {
  }
  throw std::runtime_error("manifest line " + std::to_string(r.line) + ": field " +
                           std::to_string(i + 1) + " is not a count: '" + r.fields[i] + "'");
}

}  // namespace

std::string manifest_csv(const std::vector<LaunchLabel>& launches) {
  std::string out = std::string(kHeader) + "\n";
  for (const LaunchLabel& l : launches) {
    out += csv_cell(l.label);
    for (int64_t v : {l.n, l.k, l.per_token, l.min_bytes}) {
      out += ',';
      out += std::to_string(v);
    }
    out += '\n';
  }
  return out;
}

std::vector<LaunchLabel> parse_manifest(std::string_view text) {
  const std::vector<CsvRecord> records = split_csv_records(text);
  if (records.empty() || records[0].fields.size() != 5 || records[0].fields[0] != "label")
    throw std::runtime_error(std::string("manifest: the first line must be ") + kHeader);
  std::vector<LaunchLabel> out;
  for (size_t i = 1; i < records.size(); ++i) {
    const CsvRecord& r = records[i];
    if (r.fields.size() != 5)
      throw std::runtime_error("manifest line " + std::to_string(r.line) + ": " +
                               std::to_string(r.fields.size()) + " fields, expected 5");
    out.push_back(
        {r.fields[0], field_int(r, 1), field_int(r, 2), field_int(r, 3), field_int(r, 4)});
  }
  return out;
}

std::vector<KernelCounters> pair_rows(const std::vector<NcuKernelRow>& rows,
                                      const std::vector<LaunchLabel>& launches) {
  if (rows.size() != launches.size())
    throw std::runtime_error("ncu profiled " + std::to_string(rows.size()) +
                             " kernels where the target launched " +
                             std::to_string(launches.size()));
  std::vector<KernelCounters> out;
  for (size_t i = 0; i < rows.size(); ++i) out.push_back(counters_from(rows[i], launches[i]));
  return out;
}

}  // namespace qgemv::profile
