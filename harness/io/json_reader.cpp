#include "harness/io/json_reader.h"

#include <cmath>
#include <cstdlib>

namespace qgemv {
namespace {

// Nesting deeper than this is refused: the reader recurses, and qgemv's files are shallow.
constexpr int kMaxDepth = 64;

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  JsonValue document() {
    JsonValue v = value(0);
    skip_space();
    if (at_ != s_.size()) fail("text after the value");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw JsonError("JSON, byte " + std::to_string(at_) + ": " + what);
  }

  void skip_space() {
    while (at_ < s_.size() &&
           (s_[at_] == ' ' || s_[at_] == '\t' || s_[at_] == '\n' || s_[at_] == '\r'))
      ++at_;
  }

  char peek() {
    skip_space();
    if (at_ >= s_.size()) fail("unexpected end");
    return s_[at_];
  }

  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++at_;
  }

  void literal(std::string_view word) {
    if (s_.substr(at_, word.size()) != word) fail("not a JSON value");
    at_ += word.size();
  }

  JsonValue value(int depth) {
    if (depth > kMaxDepth) fail("nested too deep");
    JsonValue v;
    const char c = peek();
    if (c == '{') {
      v.type = JsonValue::Type::kObject;
      ++at_;
      if (peek() == '}') return ++at_, v;
      for (;;) {
        if (peek() != '"') fail("expected a key");
        std::string key = string();
        expect(':');
        v.object[std::move(key)] = value(depth + 1);
        if (peek() == '}') return ++at_, v;
        expect(',');
      }
    }
    if (c == '[') {
      v.type = JsonValue::Type::kArray;
      ++at_;
      if (peek() == ']') return ++at_, v;
      for (;;) {
        v.array.push_back(value(depth + 1));
        if (peek() == ']') return ++at_, v;
        expect(',');
      }
    }
    if (c == '"') {
      v.type = JsonValue::Type::kString;
      v.string = string();
      return v;
    }
    if (c == 't' || c == 'f') {
      v.type = JsonValue::Type::kBool;
      v.boolean = c == 't';
      literal(v.boolean ? "true" : "false");
      return v;
    }
    if (c == 'n') {
      literal("null");
      return v;
    }
    v.type = JsonValue::Type::kNumber;
    v.number = number();
    return v;
  }

  double number() {
    const size_t start = at_;
    if (at_ < s_.size() && s_[at_] == '-') ++at_;
    const auto digits = [&] {
      const size_t from = at_;
      while (at_ < s_.size() && s_[at_] >= '0' && s_[at_] <= '9') ++at_;
      return at_ > from;
    };
    if (!digits()) fail("not a JSON value");
    if (at_ < s_.size() && s_[at_] == '.' && (++at_, !digits())) fail("a digit after '.'");
    if (at_ < s_.size() && (s_[at_] == 'e' || s_[at_] == 'E')) {
      ++at_;
      if (at_ < s_.size() && (s_[at_] == '+' || s_[at_] == '-')) ++at_;
      if (!digits()) fail("a digit in the exponent");
    }
    const std::string text(s_.substr(start, at_ - start));
    const double v = std::strtod(text.c_str(), nullptr);
    if (!std::isfinite(v)) fail("a number out of range");
    return v;
  }

  std::string string() {
    ++at_;  // the opening quote
    std::string out;
    for (;;) {
      if (at_ >= s_.size()) fail("an unterminated string");
      const char c = s_[at_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("a control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (at_ >= s_.size()) fail("an unterminated string");
      switch (const char e = s_[at_++]) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u':
          out += utf8(hex4());
          break;
        default:
          fail("an unknown escape");
      }
    }
  }

  unsigned hex4() {
    if (at_ + 4 > s_.size()) fail("a short \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = s_[at_++];
      v <<= 4;
      if (h >= '0' && h <= '9')
        v |= unsigned(h - '0');
      else if (h >= 'a' && h <= 'f')
        v |= unsigned(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F')
        v |= unsigned(h - 'A' + 10);
      else
        fail("a \\u escape that is not hex");
    }
    return v;
  }

  static std::string utf8(unsigned cp) {
    std::string out;
    if (cp < 0x80) {
      out += char(cp);
    } else if (cp < 0x800) {
      out += char(0xC0 | (cp >> 6));
      out += char(0x80 | (cp & 0x3F));
    } else {
      out += char(0xE0 | (cp >> 12));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    }
    return out;
  }

  std::string_view s_;
  size_t at_ = 0;
};

}  // namespace

const JsonValue* JsonValue::find(const std::string& key) const {
  if (type != Type::kObject) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &it->second;
}

const JsonValue& JsonValue::member(const std::string& key, Type t, const std::string& where) const {
  const JsonValue* m = find(key);
  if (!m || m->type != t) throw JsonError(where + ": no \"" + key + "\" of the expected type");
  return *m;
}

JsonValue parse_json(std::string_view text) { return Parser(text).document(); }

}  // namespace qgemv
