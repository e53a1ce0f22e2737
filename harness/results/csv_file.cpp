#include "harness/results/csv_file.h"

#include <string_view>

#include "harness/io/read_whole_file.h"

namespace qgemv {

std::vector<CsvRecord> read_csv_file(const std::string& path, size_t limit, const char* kind) {
  std::string text;
  try {
    text = read_whole_file(path, limit);
  } catch (const std::runtime_error& e) {
    throw ResultsFileError(e.what());
  }
  if (text.size() > limit)
    throw ResultsFileError(path + ": larger than " + std::to_string(limit >> 20) + " MiB; not " +
                           kind + " qgemv wrote");
  // Spreadsheets saving "CSV UTF-8" put a byte order mark before the header; it is no part
  // of the first column's name.
  constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
  std::string_view body = text;
  if (body.starts_with(kByteOrderMark)) body.remove_prefix(kByteOrderMark.size());
  std::vector<CsvRecord> records;
  try {
    records = split_csv_records(body);
  } catch (const CsvSyntaxError& e) {
    fail_at(path, e.line, e.what());
  }
  if (records.empty()) throw ResultsFileError(path + ": empty file, no header line");
  return records;
}

}  // namespace qgemv
