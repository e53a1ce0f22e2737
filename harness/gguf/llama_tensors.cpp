#include "harness/gguf/llama_tensors.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "harness/gguf/ggml_type.h"

namespace qgemv::gguf {
namespace {

int projection_index(const std::string& projection) {
  for (size_t i = 0; i < kProjectionNames.size(); ++i)
    if (projection == kProjectionNames[i].projection) return int(i);
  return -1;
}

// ne[0] x ne[1], with any further dimensions 1.
bool matrix_shape(const TensorInfo& t, int64_t* n, int64_t* k) {
  if (t.dims.size() < 2) return false;
  for (size_t d = 2; d < t.dims.size(); ++d)
    if (t.dims[d] != 1) return false;
  *k = int64_t(t.dims[0]);
  *n = int64_t(t.dims[1]);
  return *n > 0 && *k > 0;
}

constexpr std::string_view kWeightSuffix = ".weight";

std::string without_weight_suffix(const std::string& tensor) {
  return tensor.ends_with(kWeightSuffix) && tensor.size() > kWeightSuffix.size()
             ? tensor.substr(0, tensor.size() - kWeightSuffix.size())
             : tensor;
}

}  // namespace

std::string shape_text(const TensorInfo& t, const std::string& separator) {
  std::string s;
  for (uint64_t d : t.dims) s += (s.empty() ? "" : separator) + std::to_string(d);
  return s;
}

const TensorInfo* find_weight_tensor(const GgufFile& f, const std::string& name) {
  if (const TensorInfo* t = f.find_tensor(name)) return t;
  const std::string base = without_weight_suffix(name);
  return f.find_tensor(base == name ? name + std::string(kWeightSuffix) : base);
}

bool parse_projection_name(const std::string& tensor, int64_t* layer, std::string* projection) {
  constexpr std::string_view prefix = "blk.";
  if (tensor.rfind(prefix, 0) != 0) return false;
  size_t pos = prefix.size(), digits = 0;
  int64_t l = 0;
  while (pos < tensor.size() && tensor[pos] >= '0' && tensor[pos] <= '9' && digits < 9) {
    l = l * 10 + (tensor[pos++] - '0');
    ++digits;
  }
  if (digits == 0 || pos >= tensor.size() || tensor[pos] != '.') return false;
  const std::string rest = without_weight_suffix(tensor.substr(pos + 1));
  for (const auto& [gguf, name] : kProjectionNames)
    if (rest == gguf) {
      *layer = l;
      *projection = name;
      return true;
    }
  return false;
}

std::string projection_tensor_name(int64_t layer, const std::string& projection) {
  const int i = projection_index(projection);
  if (i < 0) throw std::invalid_argument("unknown projection '" + projection + "'");
  return "blk." + std::to_string(layer) + "." + kProjectionNames[size_t(i)].gguf;
}

void q4k_shape(const GgufFile& f, const TensorInfo& t, int64_t* n, int64_t* k) {
  if (t.type != kTypeQ4K)
    throw GgufError(f.label() + ": tensor '" + t.name + "' is " + ggml_type_name(t.type) +
                    ", not q4_K");
  if (!matrix_shape(t, n, k))
    throw GgufError(f.label() + ": tensor '" + t.name + "' of shape [" + shape_text(t) +
                    "] is not a matrix");
}

Q4KMatrix q4k_matrix(const GgufFile& f, const TensorInfo& t) {
  int64_t n = 0, k = 0;
  q4k_shape(f, t, &n, &k);
  const std::span<const uint8_t> bytes = f.data(t);
  Q4KMatrix m{n, k, std::vector<BlockQ4K>(bytes.size() / sizeof(BlockQ4K))};
  if (m.bytes() != bytes.size() || int64_t(m.blocks.size()) != n * (k / kQK))
    throw GgufError(f.label() + ": tensor '" + t.name + "' holds " + std::to_string(bytes.size()) +
                    " bytes, not whole rows of Q4_K blocks");
  std::memcpy(m.blocks.data(), bytes.data(), bytes.size());
  return m;
}

LlamaTensors llama_tensors(const GgufFile& f) {
  LlamaTensors m;
  if (const MetaValue* v = f.find("general.name"); v && v->as_string() && !v->as_string()->empty())
    m.model = *v->as_string();
  else
    m.model = std::filesystem::path(f.label()).stem().string();
  if (const MetaValue* v = f.find("general.architecture"); v && v->as_string())
    m.architecture = *v->as_string();
  int64_t highest = -1;
  for (const TensorInfo& t : f.tensors()) {
    ProjectionTensor p;
    if (!parse_projection_name(t.name, &p.layer, &p.projection)) continue;
    p.tensor = t.name;
    p.type = t.type;
    p.projection_index = projection_index(p.projection);
    if (!matrix_shape(t, &p.n, &p.k))
      throw GgufError(f.label() + ": projection tensor '" + t.name + "' of shape [" +
                      shape_text(t) + "] is not a matrix");
    highest = std::max(highest, p.layer);
    (t.type == kTypeQ4K ? m.q4k : m.other).push_back(p);
  }
  if (m.q4k.empty() && m.other.empty())
    throw GgufError(f.label() + ": no llama-style projection tensors (blk.N.attn_q, ..., " +
                    "blk.N.ffn_down) among its " + std::to_string(f.tensors().size()) + " tensors");
  m.layers = highest + 1;
  if (const MetaValue* v = f.find(m.architecture + ".block_count"); v && v->as_uint())
    m.layers = int64_t(std::min<uint64_t>(*v->as_uint(), 1u << 20));
  auto order = [](const ProjectionTensor& a, const ProjectionTensor& b) {
    return std::tie(a.layer, a.projection_index) < std::tie(b.layer, b.projection_index);
  };
  std::sort(m.q4k.begin(), m.q4k.end(), order);
  std::sort(m.other.begin(), m.other.end(), order);
  return m;
}

}  // namespace qgemv::gguf
