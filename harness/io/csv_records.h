#pragma once
// Splits CSV text (RFC 4180) into records: fields separated by commas, records by LF, CRLF or a
// lone CR (old Mac line endings). A quoted field may hold commas, quotes (doubled), CR and LF,
// and keeps every byte it holds; unquoted fields are kept as they are, spaces included. Blank
// lines are skipped, as Python's csv module skips them, so that both readers see the same rows.
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace qgemv {

struct CsvRecord {
  long line = 0;  // the line the record starts on, 1-based
  std::vector<std::string> fields;
};

struct CsvSyntaxError : std::runtime_error {
  CsvSyntaxError(long line, const std::string& what) : std::runtime_error(what), line(line) {}
  long line;
};

inline std::vector<CsvRecord> split_csv_records(std::string_view text) {
  std::vector<CsvRecord> records;
  const size_t n = text.size();
  size_t i = 0;
  long line = 1;
  // CRLF counts as one line end, so that line numbers match an editor's.
  auto at_line_end = [&](size_t j) { return j < n && (text[j] == '\n' || text[j] == '\r'); };
  auto skip_line_end = [&] {
    i += text[i] == '\r' && i + 1 < n && text[i + 1] == '\n' ? 2 : 1;
    ++line;
  };
  while (i < n) {
    if (at_line_end(i)) {
      skip_line_end();
      continue;
    }
    CsvRecord rec;
    rec.line = line;
    for (;;) {
      std::string field;
      if (i < n && text[i] == '"') {
        const long opened = line;
        ++i;
        for (;;) {
          if (i >= n)
            throw CsvSyntaxError(opened, "field " + std::to_string(rec.fields.size() + 1) +
                                             ": the quote opened here is never closed");
          const char c = text[i++];
          if (c == '"') {
            if (i < n && text[i] == '"') {
              field += '"';
              ++i;
              continue;
            }
            break;
          }
          if (c == '\n' || (c == '\r' && !(i < n && text[i] == '\n'))) ++line;
          field += c;
        }
        if (i < n && text[i] != ',' && !at_line_end(i))
          throw CsvSyntaxError(line, "field " + std::to_string(rec.fields.size() + 1) +
                                         ": text after the closing quote (a quote inside a "
                                         "quoted field is written twice)");
      } else {
        while (i < n && text[i] != ',' && !at_line_end(i)) field += text[i++];
      }
      rec.fields.push_back(std::move(field));
      if (i < n && text[i] == ',') {
        ++i;
        continue;
      }
      break;
    }
    if (i < n) skip_line_end();
    records.push_back(std::move(rec));
  }
  return records;
}

}  // namespace qgemv
