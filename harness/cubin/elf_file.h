#pragma once
// A 64-bit little-endian ELF file's sections, read from its bytes: both a host binary (whose
// .nv_fatbin section holds the device code) and a cubin (whose sections hold one function's
// code, attributes and constants each) are such files. Every read is bounds-checked, so bytes
// that are not what they claim throw rather than read past the end.
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace qgemv {

struct ElfSection {
  std::string name;
  uint32_t type = 0, info = 0, link = 0;
  uint64_t flags = 0, offset = 0, size = 0;
};

inline constexpr uint32_t kElfNobits = 8;  // SHT_NOBITS: a section with no bytes in the file

class ElfFile {
 public:
  // Throws std::runtime_error, its message starting with `what` ("cubin", a file's name), when
  // the bytes are no 64-bit little-endian ELF or its section table is cut short. The bytes must
  // outlive the object.
  ElfFile(std::string_view bytes, const std::string& what);

  const std::vector<ElfSection>& sections() const { return sections_; }
  // The first section named `name`, or nullptr.
  const ElfSection* find(std::string_view name) const;
  // The section's bytes in the file ("" for SHT_NOBITS).
  std::string_view bytes(const ElfSection& s) const;
  // The NUL-terminated string at `at` in a string table section.
  std::string string_at(const ElfSection& table, uint32_t at) const;

  template <class T>
  T get(uint64_t at) const {
    check(at, sizeof(T));
    T v;
    std::memcpy(&v, d_.data() + at, sizeof(T));
    return v;
  }

 private:
  void check(uint64_t at, uint64_t n) const;

  std::string_view d_;
  std::string what_;
  std::vector<ElfSection> sections_;
};

}  // namespace qgemv
