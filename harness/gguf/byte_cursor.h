#pragma once
// Reads little-endian values from a byte span, checking every read against its end. A read past
// the end throws GgufError naming the file, the value and both offsets.
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

#include "harness/gguf/gguf_file.h"

namespace qgemv::gguf {

class ByteCursor {
 public:
  ByteCursor(std::span<const uint8_t> bytes, const std::string& label)
      : bytes_(bytes), label_(label) {}

  uint64_t offset() const { return pos_; }
  uint64_t remaining() const { return bytes_.size() - pos_; }

  template <typename T>
  T read(const std::string& what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }

  // A string's length field, checked against the bytes that remain.
  uint64_t read_length(const std::string& what) {
    const uint64_t at = pos_;
    const uint64_t len = read<uint64_t>(what + " length");
    if (len > remaining())
      fail_at(at, what + " claims " + std::to_string(len) + " bytes, but only " +
                      std::to_string(remaining()) + " remain");
    return len;
  }

  std::string read_string(const std::string& what) {
    const uint64_t len = read_length(what);
    std::string s(reinterpret_cast<const char*>(bytes_.data() + pos_), size_t(len));
    pos_ += len;
    return s;
  }

  void skip(uint64_t n, const std::string& what) {
    need(n, what);
    pos_ += n;
  }

  [[noreturn]] void fail_at(uint64_t at, const std::string& what) const {
    throw GgufError(label_ + ": " + what + " (at byte " + std::to_string(at) + ")");
  }
  [[noreturn]] void fail(const std::string& what) const { fail_at(pos_, what); }

 private:
  void need(uint64_t n, const std::string& what) const {
    if (n > remaining())
      fail("truncated: " + what + " needs " + std::to_string(n) + " bytes, but the file ends at " +
           std::to_string(bytes_.size()));
  }

  std::span<const uint8_t> bytes_;
  std::string label_;
  uint64_t pos_ = 0;
};

}  // namespace qgemv::gguf
