#include "harness/cubin/code_identity.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>

#include "harness/cubin/kernel_name.h"
#include "harness/cubin/sass_fingerprint.h"
#include "harness/io/fnv1a.h"
#include "harness/io/read_whole_file.h"

namespace qgemv {
namespace {

constexpr std::string_view kAnonymous = "_GLOBAL__N__";

bool hex8_at(const std::string& s, size_t at) {
  if (at > s.size() || s.size() - at < 8) return false;
  return std::all_of(s.begin() + long(at), s.begin() + long(at) + 8,
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

// _GLOBAL__N__<8 hex>_<n>_<n characters: the file's name>_<8 hex>, both hashes zeroed in
// place: the same length, so the fingerprint's length prefixes still hold.
std::string without_path_hashes(std::string_view fingerprint) {
  std::string s(fingerprint);
  for (size_t at = s.find(kAnonymous); at != std::string::npos; at = s.find(kAnonymous, at + 1)) {
    size_t i = at + kAnonymous.size();
    if (!hex8_at(s, i)) continue;
    s.replace(i, 8, 8, '0');
    i += 8;
    if (i >= s.size() || s[i] != '_') continue;
    size_t n = 0, digits = 0;
    for (++i; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && digits < 6; ++i)
      n = n * 10 + size_t(s[i] - '0'), ++digits;
    if (digits == 0 || i >= s.size() || s[i] != '_' || n > s.size() - i) continue;
    i += 1 + n;
    if (i < s.size() && s[i] == '_' && hex8_at(s, i + 1)) s.replace(i + 1, 8, 8, '0');
  }
  return s;
}

KernelCode unknown(std::string why) {
  KernelCode k;
  k.why_unknown = std::move(why);
  return k;
}

}  // namespace

std::string code_hash(std::string_view fingerprint) {
  char b[17];
  std::snprintf(b, sizeof b, "%016llx",
                static_cast<unsigned long long>(fnv1a(without_path_hashes(fingerprint))));
  return b;
}

BinaryCode::BinaryCode(const std::string& binary_path, int arch) : arch_(arch) {
  const std::string elf = read_whole_file(binary_path);
  load(elf, binary_path);
}

BinaryCode::BinaryCode(std::string_view elf, int arch, const std::string& what) : arch_(arch) {
  load(elf, what);
}

void BinaryCode::load(std::string_view elf, const std::string& what) {
  std::vector<FatbinEntry> entries;
  try {
    entries = fatbin_entries(elf_section(elf, ".nv_fatbin"));
  } catch (const FatbinError& e) {
    throw FatbinError(what + ": " + e.what());
  }
  for (const FatbinEntry& e : cubins_for_arch(entries, arch_)) {
    if (e.compressed) {
      ++unread_;
      continue;
    }
    Cubin c{e.arch, std::string(e.payload), {}};
    try {
      c.entries = entry_symbols(c.bytes);
    } catch (const std::runtime_error&) {
      ++unread_;
      continue;
    }
    cubins_.push_back(std::move(c));
  }
}

KernelCode BinaryCode::identify(std::string_view printed_name) const {
  const std::string arch = "sm_" + std::to_string(arch_);
  // A cubin not read might hold another kernel of the same name: no match is then certain.
  if (unread_ > 0)
    return unknown(std::to_string(unread_) + " of the binary's " + arch +
                   " cubins are compressed or unreadable");
  if (cubins_.empty()) return unknown("the binary has no cubin for " + arch);
  std::vector<std::string> symbols;
  for (const Cubin& c : cubins_) symbols.insert(symbols.end(), c.entries.begin(), c.entries.end());
  const std::optional<std::string> symbol = match_kernel_symbol(printed_name, symbols);
  if (!symbol) return unknown("no one entry of the binary's " + arch + " cubins has this name");
  KernelCode code;
  for (const Cubin& c : cubins_) {
    if (std::find(c.entries.begin(), c.entries.end(), *symbol) == c.entries.end()) continue;
    std::string identity = "sm_" + std::to_string(c.arch) + ":";
    try {
      identity += code_hash(entry_code(c.bytes, *symbol).fingerprint);
    } catch (const std::runtime_error& e) {
      return unknown(e.what());
    }
    // An instance of a template in several translation units: one code, or no answer.
    if (!code.identity.empty() && code.identity != identity)
      return unknown("several cubins hold " + *symbol + " with different code");
    code.identity = std::move(identity);
  }
  return code;
}

}  // namespace qgemv
