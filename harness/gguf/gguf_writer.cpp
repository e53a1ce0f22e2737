#include "harness/gguf/gguf_writer.h"

#include <cstring>
#include <sstream>
#include <stdexcept>

#include "harness/gguf/ggml_type.h"
#include "harness/io/atomic_write.h"

namespace qgemv::gguf {
namespace {

template <typename T>
void put(std::vector<uint8_t>& out, T v) {
  uint8_t b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out.insert(out.end(), b, b + sizeof(T));
}

void put_string(std::vector<uint8_t>& out, const std::string& s) {
  put<uint64_t>(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

void check_size(const std::string& name, size_t got, uint64_t need, const char* how) {
  if (got != need)
    throw std::invalid_argument("tensor " + name + ": " + std::to_string(got) + " bytes " + how +
                                ", its type and shape need " + std::to_string(need));
}

uint64_t padding(uint64_t offset, uint64_t alignment) {
  return (alignment - offset % alignment) % alignment;
}

}  // namespace

uint64_t tensor_bytes(uint32_t type, const std::vector<uint64_t>& dims) {
  const auto t = ggml_type(type);
  if (!t) throw std::invalid_argument(ggml_type_name(type));
  if (dims.empty() || dims[0] % t->block_values != 0)
    throw std::invalid_argument(std::string("rows are not whole ") + t->name + " blocks");
  uint64_t elements = 1;
  for (uint64_t d : dims) elements *= d;
  return elements / t->block_values * t->block_bytes;
}

GgufWriter::GgufWriter(uint32_t version, uint32_t alignment)
    : version_(version), alignment_(alignment) {
  if (version != 2 && version != 3)
    throw std::invalid_argument("GGUF version " + std::to_string(version) +
                                ": qgemv reads versions 2 and 3");
  if (alignment == 0 || (alignment & (alignment - 1)) != 0)
    throw std::invalid_argument("GGUF alignment " + std::to_string(alignment) +
                                ": not a power of two");
  if (alignment != 32) add_u32("general.alignment", alignment);
}

void GgufWriter::add_raw(const std::string& key, ValueType t, const std::vector<uint8_t>& value) {
  put_string(metadata_, key);
  put<uint32_t>(metadata_, uint32_t(t));
  metadata_.insert(metadata_.end(), value.begin(), value.end());
  ++pairs_;
}

template <typename T>
void GgufWriter::add_scalar(const std::string& key, ValueType t, T v) {
  std::vector<uint8_t> b;
  put(b, v);
  add_raw(key, t, b);
}

void GgufWriter::add_u32(const std::string& key, uint32_t v) {
  add_scalar(key, ValueType::kU32, v);
}
void GgufWriter::add_u64(const std::string& key, uint64_t v) {
  add_scalar(key, ValueType::kU64, v);
}
void GgufWriter::add_i32(const std::string& key, int32_t v) { add_scalar(key, ValueType::kI32, v); }
void GgufWriter::add_f32(const std::string& key, float v) { add_scalar(key, ValueType::kF32, v); }

void GgufWriter::add_bool(const std::string& key, bool v) {
  add_raw(key, ValueType::kBool, {uint8_t(v)});
}

void GgufWriter::add_string(const std::string& key, const std::string& v) {
  std::vector<uint8_t> b;
  put_string(b, v);
  add_raw(key, ValueType::kString, b);
}

void GgufWriter::add_strings(const std::string& key, const std::vector<std::string>& v) {
  std::vector<uint8_t> b;
  put<uint32_t>(b, uint32_t(ValueType::kString));
  put<uint64_t>(b, v.size());
  for (const auto& s : v) put_string(b, s);
  add_raw(key, ValueType::kArray, b);
}

void GgufWriter::add_f32s(const std::string& key, const std::vector<float>& v) {
  std::vector<uint8_t> b;
  put<uint32_t>(b, uint32_t(ValueType::kF32));
  put<uint64_t>(b, v.size());
  for (float f : v) put(b, f);
  add_raw(key, ValueType::kArray, b);
}

void GgufWriter::add_tensor(const std::string& name, std::vector<uint64_t> dims, uint32_t type,
                            std::vector<uint8_t> data) {
  const uint64_t need = tensor_bytes(type, dims);
  check_size(name, data.size(), need, "given");
  tensors_.push_back({name, std::move(dims), type, need, {}, std::move(data)});
}

void GgufWriter::add_tensor(const std::string& name, std::vector<uint64_t> dims, uint32_t type,
                            TensorData make) {
  const uint64_t need = tensor_bytes(type, dims);
  tensors_.push_back({name, std::move(dims), type, need, std::move(make), {}});
}

void GgufWriter::write(std::ostream& os) const {
  std::vector<uint8_t> head;
  head.insert(head.end(), {'G', 'G', 'U', 'F'});
  put<uint32_t>(head, version_);
  put<uint64_t>(head, tensors_.size());
  put<uint64_t>(head, pairs_);
  head.insert(head.end(), metadata_.begin(), metadata_.end());
  uint64_t offset = 0;
  for (const Tensor& t : tensors_) {
    put_string(head, t.name);
    put<uint32_t>(head, uint32_t(t.dims.size()));
    for (uint64_t d : t.dims) put<uint64_t>(head, d);
    put<uint32_t>(head, t.type);
    put<uint64_t>(head, offset);
    offset += t.bytes + padding(t.bytes, alignment_);
  }
  head.resize(head.size() + padding(head.size(), alignment_), 0);
  os.write(reinterpret_cast<const char*>(head.data()), std::streamsize(head.size()));
  const std::vector<char> zeros(alignment_, 0);
  for (const Tensor& t : tensors_) {
    std::vector<uint8_t> made;  // only this tensor's bytes are held
    if (t.make) {
      made = t.make();
      check_size(t.name, made.size(), t.bytes, "made");
    }
    const std::vector<uint8_t>& data = t.make ? made : t.data;
    os.write(reinterpret_cast<const char*>(data.data()), std::streamsize(data.size()));
    os.write(zeros.data(), std::streamsize(padding(t.bytes, alignment_)));
  }
}

std::vector<uint8_t> GgufWriter::bytes() const {
  std::ostringstream os;
  write(os);
  const std::string s = os.str();
  return {s.begin(), s.end()};
}

void GgufWriter::write_file(const std::string& path) const {
  write_file_atomically(path, std::ios::binary, [&](std::ostream& os) { write(os); });
}

}  // namespace qgemv::gguf
