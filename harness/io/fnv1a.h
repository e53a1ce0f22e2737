#pragma once
// FNV-1a, 64 bits: byte by byte, so the same bytes hash the same on every host. For identities
// and seeds that a record stores and another platform reads back, where std::hash may differ.
#include <cstdint>
#include <string_view>

namespace qgemv {

inline uint64_t fnv1a(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : bytes) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

}  // namespace qgemv
