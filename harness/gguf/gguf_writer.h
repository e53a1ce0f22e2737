#pragma once
// Writes GGUF files (version 2 or 3, little-endian) for tests, fuzz seeds and synthetic models:
// metadata of any type, tensors of any ggml type with their data, aligned as llama.cpp aligns.
// A tensor's data may be made only while the file is written, one tensor at a time, so that a
// model larger than memory can be written.
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "harness/gguf/gguf_file.h"

namespace qgemv::gguf {

class GgufWriter {
 public:
  // An alignment other than 32 is written as general.alignment. Throws std::invalid_argument
  // for what qgemv's reader refuses: a version other than 2 or 3, an alignment that is not a
  // power of two.
  explicit GgufWriter(uint32_t version = 3, uint32_t alignment = 32);

  // Makes a tensor's bytes; called each time the file is written, and must give the same bytes.
  using TensorData = std::function<std::vector<uint8_t>()>;

  void add_u32(const std::string& key, uint32_t v);
  void add_u64(const std::string& key, uint64_t v);
  void add_i32(const std::string& key, int32_t v);
  void add_f32(const std::string& key, float v);
  void add_bool(const std::string& key, bool v);
  void add_string(const std::string& key, const std::string& v);
  void add_strings(const std::string& key, const std::vector<std::string>& v);
  void add_f32s(const std::string& key, const std::vector<float>& v);
  // Data must hold exactly the bytes the type and dimensions need (ne[0] first); a TensorData
  // that gives another size fails the write with std::invalid_argument.
  void add_tensor(const std::string& name, std::vector<uint64_t> dims, uint32_t type,
                  std::vector<uint8_t> data);
  void add_tensor(const std::string& name, std::vector<uint64_t> dims, uint32_t type,
                  TensorData make);

  std::vector<uint8_t> bytes() const;
  void write(std::ostream& os) const;
  // Through a temporary file and a rename.
  void write_file(const std::string& path) const;

 private:
  struct Tensor {
    std::string name;
    std::vector<uint64_t> dims;
    uint32_t type;
    uint64_t bytes;
    TensorData make;            // made while the file is written; empty for given bytes
    std::vector<uint8_t> data;  // the given bytes, written as they are
  };
  void add_raw(const std::string& key, ValueType t, const std::vector<uint8_t>& value);
  template <typename T>
  void add_scalar(const std::string& key, ValueType t, T v);

  uint32_t version_, alignment_;
  uint64_t pairs_ = 0;
  std::vector<uint8_t> metadata_;
  std::vector<Tensor> tensors_;
};

// Bytes of a tensor of `type` with these dimensions; throws std::invalid_argument for an
// unknown type or a row that is not whole blocks.
uint64_t tensor_bytes(uint32_t type, const std::vector<uint64_t>& dims);

}  // namespace qgemv::gguf
