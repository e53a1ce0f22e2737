#include "harness/results/csv_file.h"

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
  std::vector<CsvRecord> records;
  try {
    records = split_csv_records(text);
  } catch (const CsvSyntaxError& e) {
    fail_at(path, e.line, e.what());
  }
  if (records.empty()) throw ResultsFileError(path + ": empty file, no header line");
  return records;
}

}  // namespace qgemv
