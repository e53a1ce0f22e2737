#include "harness/cubin/elf_file.h"

namespace qgemv {

ElfFile::ElfFile(std::string_view bytes, const std::string& what) : d_(bytes), what_(what) {
  if (d_.size() < 64 ||
      d_.substr(0, 4) !=
          "\x7f"
          "ELF" ||
      d_[4] != 2 || d_[5] != 1)
    throw std::runtime_error(what_ + ": not a 64-bit little-endian ELF file");
  const uint64_t shoff = get<uint64_t>(0x28);
  const uint16_t shentsize = get<uint16_t>(0x3a);
  uint64_t shnum = get<uint16_t>(0x3c);
  uint32_t shstrndx = get<uint16_t>(0x3e);
  if (shoff == 0) return;  // no section table (a stripped file may have none)
  if (shentsize < 64) throw std::runtime_error(what_ + ": bad section header size");
  // More sections than 16 bits count: the real count and name table index live in section 0.
  if (shnum == 0) shnum = get<uint64_t>(shoff + 32);
  if (shstrndx == 0xffff) shstrndx = get<uint32_t>(shoff + 40);
  if (shnum > d_.size() / shentsize) throw std::runtime_error(what_ + ": truncated");
  check(shoff, shnum * shentsize);
  std::vector<uint32_t> names;
  for (uint64_t i = 0; i < shnum; ++i) {
    const uint64_t h = shoff + i * shentsize;
    ElfSection s;
    names.push_back(get<uint32_t>(h));
    s.type = get<uint32_t>(h + 4);
    s.flags = get<uint64_t>(h + 8);
    s.offset = get<uint64_t>(h + 24);
    s.size = get<uint64_t>(h + 32);
    s.link = get<uint32_t>(h + 40);
    s.info = get<uint32_t>(h + 44);
    sections_.push_back(s);
  }
  if (shstrndx >= sections_.size()) throw std::runtime_error(what_ + ": no section names");
  for (size_t i = 0; i < sections_.size(); ++i)
    sections_[i].name = string_at(sections_[shstrndx], names[i]);
}

const ElfSection* ElfFile::find(std::string_view name) const {
  for (const ElfSection& s : sections_)
    if (s.name == name) return &s;
  return nullptr;
}

std::string_view ElfFile::bytes(const ElfSection& s) const {
  if (s.type == kElfNobits) return {};
  check(s.offset, s.size);
  return d_.substr(s.offset, s.size);
}

// Read in place: called for every section and symbol, so no copy of the table.
std::string ElfFile::string_at(const ElfSection& table, uint32_t at) const {
  check(table.offset, table.size);
  if (at >= table.size) throw std::runtime_error(what_ + ": bad string index");
  const char* s = d_.data() + table.offset + at;
  return std::string(s, strnlen(s, size_t(table.size - at)));
}

void ElfFile::check(uint64_t at, uint64_t n) const {
  if (at > d_.size() || n > d_.size() - at) throw std::runtime_error(what_ + ": truncated");
}

}  // namespace qgemv
