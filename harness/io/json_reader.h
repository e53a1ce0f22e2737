#pragma once
// A small JSON reader for the files qgemv itself writes (a profile's --format json), so that a
// command can read its own output again without a JSON library. Whole RFC 8259 syntax; numbers
// are doubles; \u escapes are kept for the Basic Multilingual Plane, written as UTF-8.
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace qgemv {

struct JsonError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct JsonValue {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject } type = Type::kNull;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<JsonValue> array;
  std::map<std::string, JsonValue> object;  // a repeated key keeps its last value

  // The member `key` of an object; nullptr when absent or when this is no object.
  const JsonValue* find(const std::string& key) const;
  // The member `key`, of type `t`; throws JsonError "WHERE: no "KEY" of the expected type"
  // otherwise (`where` names this object for the reader of the error).
  const JsonValue& member(const std::string& key, Type t, const std::string& where) const;
};

// Throws JsonError naming the byte offset of the first thing that is not JSON.
JsonValue parse_json(std::string_view text);

}  // namespace qgemv
