#include "harness/gguf/gguf_file.h"

#include <algorithm>
#include <limits>
#include <sstream>

#include "harness/gguf/byte_cursor.h"
#include "harness/gguf/ggml_type.h"
#include "harness/gguf/mapped_file.h"

namespace qgemv::gguf {
namespace {

constexpr uint32_t kMagic = 0x46554747;  // "GGUF" read little-endian
constexpr uint32_t kMaxDims = 4;         // GGML_MAX_DIMS
// The fewest bytes a metadata pair (empty key, u8 value) and a tensor info (empty name, one
// dimension) take; counts that could not fit in the rest of the file are rejected before any
// allocation is sized by them.
constexpr uint64_t kMinPairBytes = 8 + 4 + 1;
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;

// Bytes of one array element on disk; 0 for strings (variable) and arrays (not allowed).
uint64_t element_bytes(ValueType t) {
  switch (t) {
    case ValueType::kU8:
    case ValueType::kI8:
    case ValueType::kBool:
      return 1;
    case ValueType::kU16:
    case ValueType::kI16:
      return 2;
    case ValueType::kU32:
    case ValueType::kI32:
    case ValueType::kF32:
      return 4;
    case ValueType::kU64:
    case ValueType::kI64:
    case ValueType::kF64:
      return 8;
    case ValueType::kString:
    case ValueType::kArray:
      return 0;
  }
  return 0;
}

bool known_value_type(uint32_t t) { return t <= uint32_t(ValueType::kF64); }

bool mul_overflows(uint64_t a, uint64_t b, uint64_t* out) {
  return __builtin_mul_overflow(a, b, out);
}

}  // namespace

class Parser {
 public:
  Parser(GgufFile& f) : f_(f), in_(f.bytes_, f.label_) {}

  void run() {
    header();
    for (uint64_t i = 0; i < kv_count_; ++i) pair(i);
    alignment();
    for (uint64_t i = 0; i < tensor_count_; ++i) tensor_info(i);
    f_.data_offset_ = align_up(in_.offset());
    if (f_.data_offset_ > f_.bytes_.size() && !f_.tensors_.empty())
      in_.fail("the data section would start at byte " + std::to_string(f_.data_offset_) +
               ", past the end of the file (" + std::to_string(f_.bytes_.size()) + " bytes)");
    tensor_extents();
  }

 private:
  void header() {
    if (f_.bytes_.size() < 4 || in_.read<uint32_t>("magic") != kMagic)
      in_.fail_at(0, "not a GGUF file (the first four bytes are not \"GGUF\")");
    const uint32_t v = in_.read<uint32_t>("version");
    if (v == 0x02000000u || v == 0x03000000u)
      in_.fail_at(4, "big-endian GGUF files are not supported");
    if (v != 2 && v != 3)
      in_.fail_at(4,
                  "GGUF version " + std::to_string(v) + " is not supported (versions 2 and 3 are)");
    f_.version_ = v;
    tensor_count_ = in_.read<uint64_t>("tensor count");
    kv_count_ = in_.read<uint64_t>("metadata count");
    if (kv_count_ > in_.remaining() / kMinPairBytes)
      in_.fail_at(16, "metadata count " + std::to_string(kv_count_) +
                          " is absurd: that many pairs cannot fit in the file's " +
                          std::to_string(in_.remaining()) +
                          " remaining bytes (truncated or corrupted file?)");
    if (tensor_count_ > in_.remaining() / kMinTensorInfoBytes)
      in_.fail_at(8, "tensor count " + std::to_string(tensor_count_) +
                         " is absurd: that many tensor infos cannot fit in the file's " +
                         std::to_string(in_.remaining()) +
                         " remaining bytes (truncated or corrupted file?)");
  }

  void pair(uint64_t i) {
    const uint64_t at = in_.offset();
    std::string key = in_.read_string("metadata key " + std::to_string(i));
    if (f_.metadata_.count(key)) in_.fail_at(at, "metadata key '" + key + "' appears twice");
    const uint32_t t = in_.read<uint32_t>("type of metadata '" + key + "'");
    if (!known_value_type(t))
      in_.fail_at(at, "metadata '" + key + "' has unknown value type " + std::to_string(t));
    MetaValue v = value(ValueType(t), key);
    f_.metadata_.emplace(std::move(key), std::move(v));
  }

  MetaValue value(ValueType t, const std::string& key) {
    MetaValue v;
    v.type = t;
    const std::string what = "value of metadata '" + key + "'";
    switch (t) {
      case ValueType::kU8:
        v.scalar = uint64_t(in_.read<uint8_t>(what));
        break;
      case ValueType::kU16:
        v.scalar = uint64_t(in_.read<uint16_t>(what));
        break;
      case ValueType::kU32:
        v.scalar = uint64_t(in_.read<uint32_t>(what));
        break;
      case ValueType::kU64:
        v.scalar = in_.read<uint64_t>(what);
        break;
      case ValueType::kI8:
        v.scalar = int64_t(in_.read<int8_t>(what));
        break;
      case ValueType::kI16:
        v.scalar = int64_t(in_.read<int16_t>(what));
        break;
      case ValueType::kI32:
        v.scalar = int64_t(in_.read<int32_t>(what));
        break;
      case ValueType::kI64:
        v.scalar = in_.read<int64_t>(what);
        break;
      case ValueType::kF32:
        v.scalar = double(in_.read<float>(what));
        break;
      case ValueType::kF64:
        v.scalar = in_.read<double>(what);
        break;
      case ValueType::kBool: {
        const uint8_t b = in_.read<uint8_t>(what);
        if (b > 1) in_.fail(what + " is a bool holding " + std::to_string(b));
        v.scalar = b == 1;
        break;
      }
      case ValueType::kString:
        v.scalar = in_.read_string(what);
        break;
      case ValueType::kArray:
        array(v, key);
        break;
    }
    return v;
  }

  void array(MetaValue& v, const std::string& key) {
    const uint64_t at = in_.offset();
    const uint32_t et = in_.read<uint32_t>("element type of metadata '" + key + "'");
    if (!known_value_type(et))
      in_.fail_at(at, "array '" + key + "' has unknown element type " + std::to_string(et));
    if (ValueType(et) == ValueType::kArray)
      in_.fail_at(at, "array '" + key + "' holds arrays; nested arrays are not supported");
    v.element_type = ValueType(et);
    v.count = in_.read<uint64_t>("length of array '" + key + "'");
    const uint64_t each = element_bytes(v.element_type);
    const uint64_t fewest = each ? each : 8;  // a string is at least its length field
    if (v.count > in_.remaining() / fewest)
      in_.fail_at(at, "array '" + key + "' claims " + std::to_string(v.count) + " elements (" +
                          value_type_name(v.element_type) + "), more than the " +
                          std::to_string(in_.remaining()) + " remaining bytes can hold");
    if (each) {
      in_.skip(v.count * each, "array '" + key + "'");
      return;
    }
    for (uint64_t i = 0; i < v.count; ++i) {
      const std::string what = "string " + std::to_string(i) + " of array '" + key + "'";
      in_.skip(in_.read_length(what), what);
    }
  }

  void alignment() {
    const MetaValue* a = f_.find("general.alignment");
    if (!a) return;
    if (a->type != ValueType::kU32)
      in_.fail_at(0,
                  std::string("general.alignment must be a u32, not ") + value_type_name(a->type));
    const uint64_t v = *a->as_uint();
    if (v == 0 || (v & (v - 1)) != 0)
      in_.fail_at(0, "general.alignment " + std::to_string(v) + " is not a power of two");
    f_.alignment_ = v;
  }

  void tensor_info(uint64_t i) {
    const uint64_t at = in_.offset();
    TensorInfo t;
    t.name = in_.read_string("name of tensor " + std::to_string(i));
    if (f_.tensor_index_.count(t.name)) in_.fail_at(at, "tensor '" + t.name + "' appears twice");
    const std::string what = "tensor '" + t.name + "'";
    const uint32_t n_dims = in_.read<uint32_t>("dimension count of " + what);
    if (n_dims == 0 || n_dims > kMaxDims)
      in_.fail_at(at, what + " has " + std::to_string(n_dims) + " dimensions (1 to 4 allowed)");
    t.elements = 1;
    for (uint32_t d = 0; d < n_dims; ++d) {
      const uint64_t ne = in_.read<uint64_t>("dimension " + std::to_string(d) + " of " + what);
      if (ne > uint64_t(std::numeric_limits<int64_t>::max()) ||
          mul_overflows(t.elements, ne, &t.elements) ||
          t.elements > uint64_t(std::numeric_limits<int64_t>::max()))
        in_.fail_at(at, what + " dimension " + std::to_string(d) + " (" + std::to_string(ne) +
                            ") makes its element count overflow");
      t.dims.push_back(ne);
    }
    t.type = in_.read<uint32_t>("type of " + what);
    const auto type = ggml_type(t.type);
    if (!type) in_.fail_at(at, what + " has " + ggml_type_name(t.type));
    if (t.dims[0] % type->block_values != 0)
      in_.fail_at(at, what + " has rows of " + std::to_string(t.dims[0]) +
                          " values, not a multiple of " + type->name + "'s block of " +
                          std::to_string(type->block_values));
    if (mul_overflows(t.elements / type->block_values, type->block_bytes, &t.bytes))
      in_.fail_at(at, what + "'s byte size overflows");
    t.offset = in_.read<uint64_t>("data offset of " + what);
    if (t.offset % f_.alignment_ != 0)
      in_.fail_at(at, what + " data offset " + std::to_string(t.offset) +
                          " is not a multiple of the alignment " + std::to_string(f_.alignment_));
    f_.tensor_index_.emplace(t.name, f_.tensors_.size());
    f_.tensors_.push_back(std::move(t));
  }

  // Every tensor's bytes lie inside the file and no two overlap.
  void tensor_extents() {
    const uint64_t size = f_.bytes_.size();
    const uint64_t room = size > f_.data_offset_ ? size - f_.data_offset_ : 0;
    std::vector<const TensorInfo*> by_offset;
    for (const TensorInfo& t : f_.tensors_) {
      if (t.offset > room || t.bytes > room - t.offset)
        in_.fail_at(f_.data_offset_,
                    "tensor '" + t.name + "' (" + std::to_string(t.bytes) +
                        " bytes at data offset " + std::to_string(t.offset) +
                        ") runs past the end of the file: the data section holds " +
                        std::to_string(room) + " bytes (truncated file?)");
      by_offset.push_back(&t);
    }
    std::sort(by_offset.begin(), by_offset.end(),
              [](const TensorInfo* a, const TensorInfo* b) { return a->offset < b->offset; });
    for (size_t i = 1; i < by_offset.size(); ++i) {
      const TensorInfo &a = *by_offset[i - 1], &b = *by_offset[i];
      if (a.bytes > 0 && b.bytes > 0 && a.offset + a.bytes > b.offset)
        in_.fail_at(f_.data_offset_ + b.offset,
                    "tensors '" + a.name + "' and '" + b.name + "' overlap in the data section");
    }
  }

  uint64_t align_up(uint64_t x) const {
    const uint64_t a = f_.alignment_;
    return x + (a - x % a) % a;
  }

  GgufFile& f_;
  ByteCursor in_;
  uint64_t tensor_count_ = 0, kv_count_ = 0;
};

const char* value_type_name(ValueType t) {
  static const char* const names[] = {"u8",   "i8",     "u16",   "i16", "u32", "i32", "f32",
                                      "bool", "string", "array", "u64", "i64", "f64"};
  return uint32_t(t) <= uint32_t(ValueType::kF64) ? names[uint32_t(t)] : "unknown";
}

std::optional<uint64_t> MetaValue::as_uint() const {
  if (type == ValueType::kArray) return std::nullopt;
  if (auto u = std::get_if<uint64_t>(&scalar)) return *u;
  if (auto i = std::get_if<int64_t>(&scalar); i && *i >= 0) return uint64_t(*i);
  return std::nullopt;
}

std::optional<std::string> MetaValue::as_string() const {
  if (auto s = std::get_if<std::string>(&scalar); s && type == ValueType::kString) return *s;
  return std::nullopt;
}

std::string MetaValue::describe() const {
  std::ostringstream os;
  os << value_type_name(type);
  if (type == ValueType::kArray) {
    os << " of " << count << " " << value_type_name(element_type);
    return os.str();
  }
  os << " ";
  std::visit(
      [&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::string>)
          os << '"' << (v.size() > 60 ? v.substr(0, 60) + "..." : v) << '"';
        else if constexpr (std::is_same_v<V, bool>)
          os << (v ? "true" : "false");
        else
          os << v;
      },
      scalar);
  return os.str();
}

GgufFile GgufFile::open(const std::string& path) {
  auto map = std::make_shared<MappedFile>(path);
  GgufFile f = parse(map->bytes(), path);
  f.owner_ = std::move(map);
  return f;
}

GgufFile GgufFile::parse(std::span<const uint8_t> bytes, const std::string& label) {
  GgufFile f;
  f.bytes_ = bytes;
  f.label_ = label;
  Parser(f).run();
  return f;
}

const MetaValue* GgufFile::find(const std::string& key) const {
  auto it = metadata_.find(key);
  return it == metadata_.end() ? nullptr : &it->second;
}

const TensorInfo* GgufFile::find_tensor(const std::string& name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

std::span<const uint8_t> GgufFile::data(const TensorInfo& t) const {
  return bytes_.subspan(data_offset_ + t.offset, t.bytes);
}

}  // namespace qgemv::gguf
