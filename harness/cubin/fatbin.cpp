#include "harness/cubin/fatbin.h"

#include <cstdio>
#include <cstring>
#include <map>

#include "harness/cubin/elf_file.h"

namespace qgemv {
namespace {

constexpr uint32_t kMagic = 0xBA55ED50;
constexpr uint16_t kVersion = 1;
constexpr size_t kContainerHeader = 16, kEntryHeader = 64;
constexpr uint16_t kKindPtx = 1, kKindCubin = 2;
constexpr uint64_t kFlagLz4 = 0x2000, kFlagZstd = 0x8000;

template <class T>
T get(std::string_view d, size_t at) {
  T v;
  std::memcpy(&v, d.data() + at, sizeof(T));
  return v;
}

std::string hex(uint64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

[[noreturn]] void fail(size_t at, const std::string& why) {
  throw FatbinError("fatbin: " + why + " at offset " + std::to_string(at));
}

}  // namespace

std::string_view elf_section(std::string_view elf, std::string_view name) {
  try {
    const ElfFile file(elf, "host binary");
    if (const ElfSection* s = file.find(name)) return file.bytes(*s);
  } catch (const std::runtime_error& e) {
    throw FatbinError(e.what());
  }
  throw FatbinError("host binary: no section " + std::string(name) +
                    " (no CUDA device code compiled in)");
}

std::vector<FatbinEntry> fatbin_entries(std::string_view d) {
  std::vector<FatbinEntry> out;
  size_t at = 0, container = 0;
  while (at < d.size()) {
    // The linker may pad between the containers it concatenates.
    if (d[at] == 0) {
      ++at;
      continue;
    }
    if (d.size() - at < kContainerHeader) fail(at, "a container header cut short");
    if (get<uint32_t>(d, at) != kMagic)
      fail(at, "magic " + hex(get<uint32_t>(d, at)) + " where a container starts (expected " +
                   hex(kMagic) + ")");
    if (get<uint16_t>(d, at + 4) != kVersion)
      fail(at, "container version " + std::to_string(get<uint16_t>(d, at + 4)));
    const uint16_t header = get<uint16_t>(d, at + 6);
    const uint64_t size = get<uint64_t>(d, at + 8);
    if (header < kContainerHeader || header > d.size() - at)
      fail(at, "container header size " + std::to_string(header));
    if (size > d.size() - at - header)
      fail(at, "a container of " + std::to_string(size) + " bytes past the end");
    const size_t end = at + header + size;
    for (size_t e = at + header; e < end;) {
      if (end - e < kEntryHeader) fail(e, "an entry header cut short");
      const uint32_t entry_header = get<uint32_t>(d, e + 4);
      const uint64_t payload = get<uint64_t>(d, e + 8);
      if (entry_header < kEntryHeader || entry_header > end - e || payload > end - e - entry_header)
        fail(e, "an entry whose " + std::to_string(payload) + " bytes overrun its container");
      FatbinEntry f;
      const uint16_t kind = get<uint16_t>(d, e);
      f.kind = kind == kKindCubin ? FatbinEntry::Kind::kCubin
               : kind == kKindPtx ? FatbinEntry::Kind::kPtx
                                  : FatbinEntry::Kind::kOther;
      f.arch = int(get<uint32_t>(d, e + 28));
      const uint64_t flags = get<uint64_t>(d, e + 40);
      f.compressed = (flags & (kFlagLz4 | kFlagZstd)) != 0 || get<uint32_t>(d, e + 16) != 0;
      f.container = container;
      f.payload = d.substr(e + entry_header, payload);
      out.push_back(f);
      e += entry_header + payload;
    }
    at = end;
    ++container;
  }
  return out;
}

std::vector<FatbinEntry> cubins_for_arch(const std::vector<FatbinEntry>& entries, int arch) {
  std::map<size_t, const FatbinEntry*> best;
  for (const FatbinEntry& e : entries) {
    if (e.kind != FatbinEntry::Kind::kCubin || e.arch / 10 != arch / 10 || e.arch > arch) continue;
    const FatbinEntry*& b = best[e.container];
    if (!b || e.arch > b->arch) b = &e;
  }
  std::vector<FatbinEntry> out;
  for (const auto& [container, e] : best) out.push_back(*e);
  return out;
}

}  // namespace qgemv
