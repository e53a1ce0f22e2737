#pragma once
// A JSON string literal (RFC 8259) for any bytes: quote and backslash escaped, every control
// character written as an escape, and bytes that are not well-formed UTF-8 replaced by U+FFFD,
// so that text read from a file (a GGUF model's general.name) cannot break the document.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace qgemv {

// The length of the well-formed UTF-8 sequence at s[i], or 0 where there is none (RFC 3629,
// table 3-7 of Unicode: no overlong forms, no surrogates, nothing above U+10FFFF).
inline size_t utf8_sequence_length(std::string_view s, size_t i) {
  const auto in = [&](size_t j, uint8_t lo, uint8_t hi) {
    return j < s.size() && uint8_t(s[j]) >= lo && uint8_t(s[j]) <= hi;
  };
  const auto tail = [&](size_t j) { return in(j, 0x80, 0xBF); };
  const uint8_t c = uint8_t(s[i]);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return tail(i + 1) ? 2 : 0;
  if (c == 0xE0) return in(i + 1, 0xA0, 0xBF) && tail(i + 2) ? 3 : 0;
  if (c == 0xED) return in(i + 1, 0x80, 0x9F) && tail(i + 2) ? 3 : 0;
  if (c >= 0xE1 && c <= 0xEF) return tail(i + 1) && tail(i + 2) ? 3 : 0;
  if (c == 0xF0) return in(i + 1, 0x90, 0xBF) && tail(i + 2) && tail(i + 3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return tail(i + 1) && tail(i + 2) && tail(i + 3) ? 4 : 0;
  if (c == 0xF4) return in(i + 1, 0x80, 0x8F) && tail(i + 2) && tail(i + 3) ? 4 : 0;
  return 0;
}

inline std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    const uint8_t c = uint8_t(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20 || c == 0x7F) {
      const char* named = c == '\n'   ? "\\n"
                          : c == '\r' ? "\\r"
                          : c == '\t' ? "\\t"
                          : c == '\b' ? "\\b"
                          : c == '\f' ? "\\f"
                                      : nullptr;
      char u[8];
      std::snprintf(u, sizeof u, "\\u%04x", unsigned(c));
      out += named ? named : u;
    } else if (const size_t n = utf8_sequence_length(s, i); n > 0) {
      out.append(s, i, n);
      i += n;
      continue;
    } else {
      out += "\\ufffd";
    }
    ++i;
  }
  return out + "\"";
}

}  // namespace qgemv
