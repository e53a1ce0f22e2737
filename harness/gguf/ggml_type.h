#pragma once
// ggml's tensor types as GGUF stores them: the id, a name, and the block geometry that gives a
// tensor's byte size. Ids of removed types (4, 5, 31-33, 36-38) and unknown ids have no entry.
#include <cstdint>
#include <optional>
#include <string>

namespace qgemv::gguf {

inline constexpr uint32_t kTypeF32 = 0;
inline constexpr uint32_t kTypeF16 = 1;
inline constexpr uint32_t kTypeQ8_0 = 8;
inline constexpr uint32_t kTypeQ4K = 12;
inline constexpr uint32_t kTypeQ6K = 14;

struct GgmlType {
  uint32_t id;
  const char* name;
  uint32_t block_values;  // values per block (1 for plain types)
  uint32_t block_bytes;
};

std::optional<GgmlType> ggml_type(uint32_t id);
// "q4_K", or "unknown type 77".
std::string ggml_type_name(uint32_t id);

}  // namespace qgemv::gguf
