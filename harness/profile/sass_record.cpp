#include "harness/profile/sass_record.h"

#include <cctype>
#include <optional>
#include <set>
#include <stdexcept>

#include "harness/io/csv_cell.h"
#include "harness/io/csv_records.h"

namespace qgemv::profile {
namespace {

constexpr const char* kHeader = "function,sass,note";

}  // namespace

int profiled_arch(const NcuKernelRow& row) {
  const auto major = row.metric("device__attribute_compute_capability_major");
  const auto minor = row.metric("device__attribute_compute_capability_minor");
  if (major && minor && *major > 0 && *minor >= 0) return int(*major) * 10 + int(*minor);
  // "9.0": the CC column ncu's raw page starts with.
  if (const auto it = row.text.find("CC"); it != row.text.end()) {
    const std::string& cc = it->second;
    const size_t dot = cc.find('.');
    if (dot != std::string::npos && dot > 0 && dot + 2 == cc.size() &&
        std::isdigit(static_cast<unsigned char>(cc.back())) &&
        cc.find_first_not_of("0123456789") == dot)
      return std::stoi(cc.substr(0, dot)) * 10 + (cc.back() - '0');
  }
  return 0;
}

std::vector<FunctionCode> identify_functions(const std::vector<NcuKernelRow>& rows,
                                             const std::string& binary) {
  std::vector<FunctionCode> out;
  std::set<std::string> seen;
  for (const NcuKernelRow& r : rows)
    if (seen.insert(r.kernel).second) out.push_back({r.kernel, {}});
  const int arch = rows.empty() ? 0 : profiled_arch(rows.front());
  std::string why;
  std::optional<BinaryCode> code;
  if (arch == 0) {
    why = "ncu gave no compute capability";
  } else {
    try {
      code.emplace(binary, arch);
    } catch (const std::exception& e) {
      why = e.what();
    }
  }
  for (FunctionCode& f : out)
    if (code)
      f.code = code->identify(f.function);
    else
      f.code.why_unknown = why;
  return out;
}

std::string sass_csv(const std::vector<FunctionCode>& functions) {
  std::string out = std::string(kHeader) + "\n";
  for (const FunctionCode& f : functions) {
    out += csv_cell(f.function);
    out += ',';
    out += csv_cell(f.code.identity);
    out += ',';
    out += csv_cell(f.code.why_unknown);
    out += '\n';
  }
  return out;
}

std::map<std::string, std::string> parse_sass_csv(std::string_view text) {
  const std::vector<CsvRecord> records = split_csv_records(text);
  if (records.empty() || records[0].fields != std::vector<std::string>{"function", "sass", "note"})
    throw std::runtime_error(std::string("the first line must be ") + kHeader);
  std::map<std::string, std::string> out;
  for (size_t i = 1; i < records.size(); ++i) {
    const CsvRecord& r = records[i];
    if (r.fields.size() != 3)
      throw std::runtime_error("line " + std::to_string(r.line) + ": " +
                               std::to_string(r.fields.size()) + " fields, expected 3");
    out[r.fields[0]] = r.fields[1];
  }
  return out;
}

}  // namespace qgemv::profile
