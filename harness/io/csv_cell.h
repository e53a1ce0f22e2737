#pragma once
// One CSV cell as RFC 4180 writes it: quoted, with quotes doubled, when it holds a comma, a
// quote, a CR or an LF. Also quoted when it starts or ends with a space or tab, which other
// CSV readers trim. split_csv_records (csv_records.h) reads every cell back byte for byte.
#include <string>

namespace qgemv {

inline std::string csv_cell(const std::string& s) {
  const bool padded =
      !s.empty() && (s.front() == ' ' || s.front() == '\t' || s.back() == ' ' || s.back() == '\t');
  if (!padded && s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace qgemv
