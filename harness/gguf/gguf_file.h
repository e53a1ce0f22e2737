#pragma once
// A GGUF file (versions 2 and 3, little-endian): header, metadata, tensor infos, alignment and
// data offsets, read in place from a memory map. Every count, length, dimension and offset is
// checked against the file's size before it is used; a file that fails a check is rejected with
// a GgufError naming the file, what is wrong and the byte offset where it was found.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "harness/io/raw_files.h"

namespace qgemv::gguf {

struct GgufError : InputFileError {
  using InputFileError::InputFileError;
};

enum class ValueType : uint32_t {
  kU8 = 0,
  kI8 = 1,
  kU16 = 2,
  kI16 = 3,
  kU32 = 4,
  kI32 = 5,
  kF32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kU64 = 10,
  kI64 = 11,
  kF64 = 12,
};
const char* value_type_name(ValueType t);

// A metadata value. Arrays keep their element type and length, not their elements (a
// tokenizer's vocabulary runs to hundreds of thousands of strings and qgemv reads none).
struct MetaValue {
  ValueType type = ValueType::kU8;
  std::variant<uint64_t, int64_t, double, bool, std::string> scalar;
  ValueType element_type = ValueType::kU8;  // arrays only
  uint64_t count = 0;                       // arrays only
  // A non-negative integer of any integer type; nullopt otherwise.
  std::optional<uint64_t> as_uint() const;
  std::optional<std::string> as_string() const;
  std::string describe() const;  // "u32 32", "string \"llama\"", "array of 151936 string"
};

struct TensorInfo {
  std::string name;
  std::vector<uint64_t> dims;  // ne[0] first: the contiguous dimension (a row's length)
  uint32_t type = 0;
  uint64_t offset = 0;  // from the start of the data section
  uint64_t elements = 0;
  uint64_t bytes = 0;
};

class GgufFile {
 public:
  // Maps the file and parses it.
  static GgufFile open(const std::string& path);
  // Parses bytes the caller keeps alive; `label` names them in errors.
  static GgufFile parse(std::span<const uint8_t> bytes, const std::string& label);

  const std::string& label() const { return label_; }
  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  uint64_t data_offset() const { return data_offset_; }
  uint64_t size() const { return bytes_.size(); }

  const std::map<std::string, MetaValue>& metadata() const { return metadata_; }
  const MetaValue* find(const std::string& key) const;
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  const TensorInfo* find_tensor(const std::string& name) const;
  // The tensor's bytes inside the file (bounds were checked when the file was parsed).
  std::span<const uint8_t> data(const TensorInfo& t) const;

 private:
  std::shared_ptr<const void> owner_;  // the mapping, when open() made one
  std::span<const uint8_t> bytes_;
  std::string label_;
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  uint64_t data_offset_ = 0;
  std::map<std::string, MetaValue> metadata_;
  std::vector<TensorInfo> tensors_;
  std::map<std::string, size_t> tensor_index_;
  friend class Parser;
};

}  // namespace qgemv::gguf
