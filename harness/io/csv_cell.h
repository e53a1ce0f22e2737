#pragma once
// One CSV cell as RFC 4180 writes it: quoted, with quotes doubled, when it holds a comma, a
// quote or a newline.
#include <string>

namespace qgemv {

inline std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace qgemv
