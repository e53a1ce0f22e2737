#include "harness/mutate/mutants.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <sstream>
#include <string_view>
#include <tuple>

namespace qgemv {
namespace {

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Marks which characters of `src` are device code outside comments, strings and preprocessor
// lines: from the '{' that opens a __global__ or __device__ function to its matching '}'.
std::vector<bool> device_code_mask(const std::string& src) {
  std::vector<bool> mask(src.size(), false);
  int depth = 0, device_depth = -1;
  bool pending = false;  // saw __global__/__device__, waiting for the body's '{'
  for (size_t i = 0; i < src.size(); ++i) {
    const char c = src[i];
    if (c == '/' && i + 1 < src.size() && src[i + 1] == '/') {
      while (i < src.size() && src[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < src.size() && src[i + 1] == '*') {
      i = src.find("*/", i + 2);
      if (i == std::string::npos) break;
      ++i;
      continue;
    }
    if ((c == '"' || c == '\'') && (i == 0 || src[i - 1] != '\\')) {
      for (++i; i < src.size() && src[i] != c; ++i)
        if (src[i] == '\\') ++i;
      continue;
    }
    if (c == '#' && (i == 0 || src.rfind('\n', i) == std::string::npos ||
                     src.find_first_not_of(" \t", src.rfind('\n', i) + 1) == i)) {
      while (i < src.size() && src[i] != '\n') i += src[i] == '\\' ? 2 : 1;
      continue;
    }
    if (src.compare(i, 10, "__global__") == 0 || src.compare(i, 10, "__device__") == 0)
      pending = device_depth < 0;
    if (c == ';' && pending && device_depth < 0) pending = false;  // a declaration only
    if (c == '{') {
      if (pending && device_depth < 0) device_depth = depth, pending = false;
      ++depth;
    } else if (c == '}') {
      --depth;
      if (depth == device_depth) device_depth = -1;
    }
    if (device_depth >= 0 && depth > device_depth) mask[i] = true;
  }
  return mask;
}

struct Edit {
  size_t at, len;
  std::string with;
  const char* op;
  // The generation order: position, then a total tie-break (generate_mutants).
  std::tuple<size_t, std::string_view, std::string_view, size_t> order() const {
    return {at, op, with, len};
  }
};

// The significant character before position i (skipping spaces), or 0.
char before(const std::string& s, size_t i) {
  while (i > 0 && std::isspace(static_cast<unsigned char>(s[i - 1]))) --i;
  return i == 0 ? 0 : s[i - 1];
}

bool operand_end(char c) { return ident_char(c) || c == ')' || c == ']'; }

// '<' that opens template arguments (lanes_sum<4>(...), static_cast<int>(...)), not a comparison.
bool template_bracket(const std::string& s, size_t i) {
  if (i == 0 || !ident_char(s[i - 1])) return false;
  const size_t close = s.find('>', i);
  if (close == std::string::npos) return false;
  const std::string inside = s.substr(i + 1, close - i - 1);
  if (inside.find_first_of(";(){}=") != std::string::npos) return false;
  const size_t next = s.find_first_not_of(" \t", close + 1);
  return next != std::string::npos && (s[next] == '(' || s[next] == ':' || s[next] == '{');
}

std::vector<Edit> find_edits(const std::string& s, const std::vector<bool>& device) {
  std::vector<Edit> edits;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!device[i]) continue;
    const char c = s[i], n1 = i + 1 < s.size() ? s[i + 1] : 0, n2 = i + 2 < s.size() ? s[i + 2] : 0;
    // Two-character operators first.
    if ((c == '<' || c == '>' || c == '=' || c == '!') && n1 == '=' && n2 != '=') {
      const char* to = c == '<' ? "<" : c == '>' ? ">" : c == '=' ? "!=" : "==";
      edits.push_back({i, 2, to, "compare"});
      ++i;
      continue;
    }
    if ((c == '+' || c == '-' || c == '*' || c == '/') && n1 == '=') {
      const char* to = c == '+' ? "-=" : c == '-' ? "+=" : c == '*' ? "/=" : "*=";
      edits.push_back({i, 2, to, "arith"});
      ++i;
      continue;
    }
    if ((c == '+' && n1 == '+') || (c == '-' && n1 == '-') || (c == '-' && n1 == '>') ||
        (c == '&' && n1 == '&') || (c == '|' && n1 == '|') || (c == ':' && n1 == ':')) {
      ++i;
      continue;
    }
    if ((c == '<' && n1 == '<') || (c == '>' && n1 == '>')) {
      if (c == '<' && n2 == '<') {  // a <<<launch>>>: not device code anyway
        i += 2;
        continue;
      }
      edits.push_back({i, 2, c == '<' ? ">>" : "<<", "shift"});
      ++i;
      continue;
    }
    if (c == '<' && template_bracket(s, i)) {  // template arguments are types and sizes
      i = s.find('>', i);
      continue;
    }
    if ((c == '<' || c == '>') && operand_end(before(s, i)) &&
        !(c == '>' && i > 0 && s[i - 1] == '-')) {
      edits.push_back({i, 1, c == '<' ? "<=" : ">=", "compare"});
      continue;
    }
    if ((c == '+' || c == '-' || c == '*' || c == '/') && operand_end(before(s, i))) {
      const char* to = c == '+' ? "-" : c == '-' ? "+" : c == '*' ? "/" : "*";
      edits.push_back({i, 1, to, "arith"});
      continue;
    }
    // Integer literals (decimal or hex, not part of a name or a float).
    if (std::isdigit(static_cast<unsigned char>(c)) && (i == 0 || !ident_char(s[i - 1])) &&
        (i == 0 || s[i - 1] != '.')) {
      size_t j = i;
      const bool hex = c == '0' && (n1 == 'x' || n1 == 'X');
      if (hex) j += 2;
      while (j < s.size() && (hex ? std::isxdigit(static_cast<unsigned char>(s[j]))
                                  : std::isdigit(static_cast<unsigned char>(s[j]))))
        ++j;
      const bool is_float = j < s.size() && (s[j] == '.' || s[j] == 'e' || s[j] == 'f');
      size_t end = j;
      while (end < s.size() && (s[end] == 'u' || s[end] == 'U' || s[end] == 'l' || s[end] == 'L'))
        ++end;
      if (!is_float) {
        const unsigned long long v = std::stoull(s.substr(i, j - i), nullptr, hex ? 16 : 10);
        const std::string suffix = s.substr(j, end - j);
        auto text = [&](unsigned long long x) {
          std::ostringstream os;
          if (hex) os << "0x" << std::hex;
          os << x << suffix;
          return os.str();
        };
        edits.push_back({i, end - i, text(v + 1), "constant"});
        if (v > 0) edits.push_back({i, end - i, text(v - 1), "constant"});
      }
      i = end - 1;
      continue;
    }
    if (c == '[') {  // index plus or minus one
      const size_t close = s.find(']', i);
      if (close != std::string::npos && close > i + 1 && device[close]) {
        const std::string index = s.substr(i + 1, close - i - 1);
        if (index.find('[') == std::string::npos) {
          edits.push_back({i + 1, close - i - 1, "(" + index + ") + 1", "index"});
          edits.push_back({i + 1, close - i - 1, "(" + index + ") - 1", "index"});
        }
      }
    }
  }
  return edits;
}

std::string line_of(const std::string& s, size_t at) {
  const size_t a = s.rfind('\n', at == 0 ? 0 : at - 1);
  const size_t start = a == std::string::npos || at == 0 ? 0 : a + 1;
  const size_t end = s.find('\n', at);
  return s.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

std::vector<Mutant> generate_mutants(const std::string& src) {
  const std::vector<bool> device = device_code_mask(src);
  std::vector<Edit> edits = find_edits(src, device);
  // Whole statements: dropped; a barrier's removal and a shuffle replaced by its value are
  // their own operators, since a missing synchronisation is a bug class of its own.
  const std::regex shuffle(
      R"(__shfl(_xor|_down|_up)?_sync\s*\(\s*[^,]+,\s*([^,]+),[^;]*?\)(?=\s*[;)]))");
  size_t line_start = 0;
  while (line_start < src.size()) {
    size_t end = src.find('\n', line_start);
    if (end == std::string::npos) end = src.size();
    const std::string line = src.substr(line_start, end - line_start);
    const size_t first = line.find_first_not_of(" \t");
    if (first != std::string::npos && device[line_start + first] && line.back() == ';' &&
        line.find('{') == std::string::npos && line.find('}') == std::string::npos) {
      const bool barrier = line.find("__syncthreads") != std::string::npos;
      edits.push_back({line_start + first, line.size() - first, barrier ? "" : ";",
                       barrier ? "barrier" : "drop"});
    }
    for (std::sregex_iterator it(line.begin(), line.end(), shuffle), e; it != e; ++it)
      if (device[line_start + size_t(it->position(0))])
        edits.push_back({line_start + size_t(it->position(0)), size_t(it->length(0)),
                         (*it)[2].str(), "shuffle"});
    line_start = end + 1;
  }
  // Ids follow from the order, so it must be total: at one position (a literal's two constants,
  // an index's two edits) the operator, then the replacement, then the length decide. Position
  // alone would leave ties to std::sort, which orders them differently between libraries.
  std::sort(edits.begin(), edits.end(),
            [](const Edit& a, const Edit& b) { return a.order() < b.order(); });
  std::vector<Mutant> out;
  for (const Edit& e : edits) {
    Mutant m;
    m.id = int(out.size());
    m.op = e.op;
    m.line = int(std::count(src.begin(), src.begin() + long(e.at), '\n')) + 1;
    m.before = line_of(src, e.at);
    m.source = src.substr(0, e.at) + e.with + src.substr(e.at + e.len);
    m.after = line_of(m.source, e.at);
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace qgemv
