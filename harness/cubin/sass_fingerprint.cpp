#include "harness/cubin/sass_fingerprint.h"

#include <cstdint>
#include <cstring>
#include <set>
#include <stdexcept>
#include <vector>

#include "harness/cubin/elf_file.h"
#include "harness/io/read_whole_file.h"

namespace qgemv {
namespace {

// ELF64 constants (elf.h names) and the CUDA extensions the fingerprint reads.
constexpr uint32_t kShtSymtab = 2, kShtRela = 4, kShtRel = 9;
constexpr uint8_t kSttFunc = 2, kSttSection = 3;
constexpr uint8_t kStoCudaEntry = 0x10;  // st_other of a __global__ function
constexpr uint8_t kEifmtSval = 4;        // an attribute with a sized value
// Attributes whose value starts with a symbol index (EIATTR_PARAM_CBANK, _FRAME_SIZE,
// _MIN_STACK_SIZE, _MAX_STACK_SIZE, _REGCOUNT), and one that is a list of them (EIATTR_EXTERNS).
const std::set<uint8_t> kSymbolFirst = {0x0a, 0x11, 0x12, 0x23, 0x2f};
constexpr uint8_t kSymbolList = 0x0f;

using Section = ElfSection;

struct Symbol {
  std::string name;
  uint8_t type = 0, other = 0;
  uint16_t section = 0;
};

// The ELF's sections and its symbol table.
class Cubin {
 public:
  explicit Cubin(const std::string& bytes) : elf_(bytes, "cubin") {
    for (const Section& s : sections()) {
      if (s.type != kShtSymtab || s.link >= sections().size()) continue;
      for (uint64_t o = 0; o + 24 <= s.size; o += 24) {
        const uint64_t at = s.offset + o;
        Symbol y;
        y.name = elf_.string_at(sections()[s.link], get<uint32_t>(at));
        y.type = get<uint8_t>(at + 4) & 0xf;
        y.other = get<uint8_t>(at + 5);
        y.section = get<uint16_t>(at + 6);
        if (y.type == kSttSection && y.section < sections().size())
          y.name = sections()[y.section].name;
        symbols_.push_back(y);
      }
    }
  }

  const std::vector<Section>& sections() const { return elf_.sections(); }
  const std::vector<Symbol>& symbols() const { return symbols_; }
  std::string symbol_name(uint64_t i) const {
    if (i < symbols_.size()) return symbols_[i].name;
    return std::string("#").append(std::to_string(i));
  }
  std::string bytes(const Section& s) const { return std::string(elf_.bytes(s)); }
  template <class T>
  T get(uint64_t at) const {
    return elf_.get<T>(at);
  }

 private:
  ElfFile elf_;
  std::vector<Symbol> symbols_;
};

// Length-prefixed, so that no two sequences of fields make the same bytes.
void put(std::string& out, const std::string& field) {
  const uint64_t n = field.size();
  out.append(reinterpret_cast<const char*>(&n), sizeof n);
  out += field;
}
void put(std::string& out, uint64_t v) { put(out, std::to_string(v)); }

// A .nv.info section's attributes, symbol indices replaced by names. `keep` filters the global
// section to the closure's attributes (true for every attribute of a function's own section).
std::string info_attributes(const Cubin& c, const std::string& bytes,
                            const std::set<std::string>* only_symbols) {
  std::string out;
  for (size_t i = 0; i + 4 <= bytes.size();) {
    const uint8_t format = uint8_t(bytes[i]), attr = uint8_t(bytes[i + 1]);
    uint16_t size = 0;
    if (format == kEifmtSval) std::memcpy(&size, bytes.data() + i + 2, 2);
    const std::string value =
        format == kEifmtSval ? bytes.substr(i + 4, size) : bytes.substr(i + 2, 2);
    i += 4 + (format == kEifmtSval ? size : 0);
    // Appended piece by piece: GCC 12's -Wrestrict misfires on chains of string operator+.
    std::string field;
    field.append(std::to_string(format)).append(":").append(std::to_string(attr)).append(":");
    std::string symbol;
    if (format == kEifmtSval && value.size() >= 4 &&
        (kSymbolFirst.contains(attr) || attr == kSymbolList)) {
      for (size_t at = 0; at + 4 <= (attr == kSymbolList ? value.size() : 4); at += 4) {
        uint32_t index = 0;
        std::memcpy(&index, value.data() + at, 4);
        symbol = c.symbol_name(index);
        field.append(symbol).append(",");
      }
      field += value.substr(attr == kSymbolList ? value.size() - value.size() % 4 : 4);
    } else {
      field += value;
    }
    if (only_symbols && !only_symbols->contains(symbol)) continue;
    put(out, field);
  }
  return out;
}

bool ends_with_function(const std::string& section, const std::string& function) {
  return section.size() > function.size() + 1 && section.ends_with(function) &&
         section[section.size() - function.size() - 1] == '.';
}

}  // namespace

EntryCode entry_code(const std::string& bytes, const std::string& entry) {
  const Cubin c(bytes);
  const auto& secs = c.sections();
  const auto& syms = c.symbols();

  // The entry: its exact name, else the one entry whose name contains `entry`.
  std::vector<size_t> exact, partial;
  for (size_t i = 0; i < syms.size(); ++i) {
    if (syms[i].type != kSttFunc || !(syms[i].other & kStoCudaEntry)) continue;
    if (syms[i].name == entry) exact.push_back(i);
    if (syms[i].name.find(entry) != std::string::npos) partial.push_back(i);
  }
  const std::vector<size_t>& found = exact.empty() ? partial : exact;
  if (found.size() != 1)
    throw std::runtime_error("cubin: " + std::to_string(found.size()) + " entries named " + entry);
  EntryCode code;
  code.symbol = syms[found[0]].name;

  // The functions the entry's code reaches through relocations, in the order found.
  std::vector<uint16_t> functions = {syms[found[0]].section};
  std::string relocations;
  for (size_t f = 0; f < functions.size(); ++f)
    for (const Section& r : secs) {
      if ((r.type != kShtRel && r.type != kShtRela) || r.info != functions[f]) continue;
      const uint64_t step = r.type == kShtRela ? 24 : 16;
      for (uint64_t o = 0; o + step <= r.size; o += step) {
        const uint64_t info = c.get<uint64_t>(r.offset + o + 8);
        const uint64_t sym = info >> 32;
        put(relocations, secs[functions[f]].name);
        put(relocations, c.get<uint64_t>(r.offset + o));
        put(relocations, info & 0xffffffffu);
        put(relocations, c.symbol_name(sym));
        if (r.type == kShtRela) put(relocations, c.get<uint64_t>(r.offset + o + 16));
        if (sym < syms.size() && syms[sym].type == kSttFunc && syms[sym].section < secs.size() &&
            secs[syms[sym].section].name.starts_with(".text.")) {
          bool seen = false;
          for (uint16_t g : functions) seen |= g == syms[sym].section;
          if (!seen) functions.push_back(syms[sym].section);
        }
      }
    }
  std::string& out = code.fingerprint;
  put(out, relocations);

  std::set<std::string> closure_symbols;
  for (const Symbol& y : syms)
    for (uint16_t f : functions)
      if (y.section == f) closure_symbols.insert(y.name);
  for (uint16_t f : functions) {
    if (f >= secs.size()) throw std::runtime_error("cubin: bad section index");
    const std::string function = secs[f].name.substr(std::strlen(".text."));
    put(out, uint64_t(secs[f].info >> 24));  // the register count, where the toolkit puts it here
    for (const Section& s : secs) {
      if (!ends_with_function(s.name, function) || s.name.find("debug") != std::string::npos ||
          s.type == kShtRel || s.type == kShtRela)
        continue;
      // Function sections only: a longer name ending in ".F" belongs to another function.
      if (s.name != ".text." + function && s.name != ".nv.info." + function &&
          s.name != ".nv.shared." + function && !s.name.starts_with(".nv.constant"))
        continue;
      put(out, s.name);
      put(out, s.type);
      put(out, s.flags);
      put(out, s.size);
      put(out,
          s.name.starts_with(".nv.info.") ? info_attributes(c, c.bytes(s), nullptr) : c.bytes(s));
    }
  }
  for (const Section& s : secs) {
    if (s.name == ".nv.info") put(out, info_attributes(c, c.bytes(s), &closure_symbols));
    // Data no function owns: __constant__ (.nv.constant3 and the like) and __device__ variables.
    const bool shared_constant = s.name.starts_with(".nv.constant") &&
                                 s.name.find('.', std::strlen(".nv.constant")) == std::string::npos;
    if (shared_constant || s.name == ".nv.global" || s.name == ".nv.global.init") {
      put(out, s.name);
      put(out, s.size);
      put(out, c.bytes(s));
    }
  }
  return code;
}

std::vector<std::string> entry_symbols(const std::string& cubin) {
  const Cubin c(cubin);
  std::vector<std::string> out;
  for (const Symbol& y : c.symbols())
    if (y.type == kSttFunc && (y.other & kStoCudaEntry)) out.push_back(y.name);
  return out;
}

EntryCode entry_code_of_file(const std::string& cubin_path, const std::string& entry) {
  return entry_code(read_whole_file(cubin_path), entry);
}

}  // namespace qgemv
