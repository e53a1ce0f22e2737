#pragma once
// Reading the CSV files qgemv writes (results, samples): the whole file within a size bound,
// split into records, and numbers parsed from cells, every error a ResultsFileError naming the
// file and line.
#include <charconv>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "harness/io/csv_records.h"
#include "harness/results/results_csv.h"

namespace qgemv {

[[noreturn]] inline void fail_at(const std::string& path, long line, const std::string& what) {
  throw ResultsFileError(path + ":" + std::to_string(line) + ": " + what);
}

// The records of `path`, header included (an empty file is an error). `limit` bounds what a
// device (/dev/zero) or a wrong file can make the reader hold; `kind` names the file in that
// error ("a results file").
std::vector<CsvRecord> read_csv_file(const std::string& path, size_t limit, const char* kind);

// A number in a cell, allowing the spaces a hand-edited file puts after its commas. `what`
// says what was expected ("an integer").
template <typename T>
T parse_cell(const std::string& path, long line, const std::string& column, const std::string& cell,
             const char* what) {
  std::string_view t = cell;
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  T v{};
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec == std::errc::result_out_of_range)
    fail_at(path, line,
            "column " + column + ": " + std::string(t) + " is out of range" +
                (std::is_integral_v<T> ? " for a " + std::to_string(8 * sizeof(T)) + "-bit integer"
                                       : std::string()));
  if (ec != std::errc() || ptr != t.data() + t.size())
    fail_at(path, line, "column " + column + ": expected " + what + ", got '" + cell + "'");
  return v;
}

// Each column's index in a header; a column named twice is an error (the second would silently
// win).
inline std::map<std::string, size_t> header_columns(const std::string& path,
                                                    const CsvRecord& header) {
  std::map<std::string, size_t> at;
  for (size_t i = 0; i < header.fields.size(); ++i)
    if (!at.emplace(header.fields[i], i).second)
      fail_at(path, header.line, "column '" + header.fields[i] + "' appears twice in the header");
  return at;
}

// One row's cells by column name, read with the record's file:line in every error.
class RowCells {
 public:
  RowCells(const std::string& path, const CsvRecord& rec, const std::map<std::string, size_t>& at)
      : path_(path), rec_(rec), at_(at) {}

  const std::string& text(const std::string& col) const { return rec_.fields[at_.at(col)]; }

  [[noreturn]] void fail(const std::string& what) const { fail_at(path_, rec_.line, what); }

  int64_t integer(const std::string& col) const {
    return parse_cell<int64_t>(path_, rec_.line, col, text(col), "an integer");
  }

  double real(const std::string& col) const {
    return parse_cell<double>(path_, rec_.line, col, text(col), "a number");
  }

 private:
  const std::string& path_;
  const CsvRecord& rec_;
  const std::map<std::string, size_t>& at_;
};

}  // namespace qgemv
