#pragma once
// A GGUF file read as a llama-style decoder: per layer, the projection tensors blk.N.attn_q,
// attn_k, attn_v, attn_output, ffn_gate, ffn_up and ffn_down (".weight" suffix optional), each a
// GEMV y[n] = W[n x k] x[k] with k = ne[0] (a row) and n = ne[1].
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/gguf/gguf_file.h"
#include "reference/q4k_matrix.h"

namespace qgemv::gguf {

// A layer's projections in issue order: the GGUF tensor (without ".weight") and qgemv's name.
struct ProjectionName {
  const char* gguf;
  const char* projection;
};
inline constexpr std::array<ProjectionName, 7> kProjectionNames = {{
    {"attn_q", "q"},
    {"attn_k", "k"},
    {"attn_v", "v"},
    {"attn_output", "o"},
    {"ffn_gate", "gate"},
    {"ffn_up", "up"},
    {"ffn_down", "down"},
}};

// llama.cpp's tensor name, without ".weight", for a projection of a layer: blk.3.attn_q, ...
// Throws std::invalid_argument for an unknown projection.
std::string projection_tensor_name(int64_t layer, const std::string& projection);

struct ProjectionTensor {
  std::string tensor;  // the GGUF name, e.g. blk.3.attn_q.weight
  int64_t layer = 0;
  std::string projection;    // q, k, v, o, gate, up, down
  int projection_index = 0;  // its place in a layer's issue order
  int64_t n = 0, k = 0;
  uint32_t type = 0;
};

struct LlamaTensors {
  std::string model;  // general.name, else the file name without directory and extension
  std::string architecture;
  int64_t layers = 0;  // {architecture}.block_count, else the highest layer seen plus one
  std::vector<ProjectionTensor> q4k;    // issue order: layer, then q k v o gate up down
  std::vector<ProjectionTensor> other;  // projections stored in another type (not run)
};

// The projection name (q, k, ...) of a GGUF tensor name and its layer; false for other tensors.
bool parse_projection_name(const std::string& tensor, int64_t* layer, std::string* projection);

// The tensor named `name`, else the one named `name` with ".weight" added or removed (llama.cpp
// names weights blk.0.attn_q.weight, some files blk.0.attn_q); null if neither is there.
const TensorInfo* find_weight_tensor(const GgufFile& f, const std::string& name);

// A tensor's dimensions, ne[0] first: "1536 x 256" (or with another separator).
std::string shape_text(const TensorInfo& t, const std::string& separator = " x ");

// Throws GgufError when a projection tensor is not a matrix or the file has none.
LlamaTensors llama_tensors(const GgufFile& f);

// A Q4_K tensor copied into a matrix; throws GgufError unless it is a Q4_K matrix.
Q4KMatrix q4k_matrix(const GgufFile& f, const TensorInfo& t);
// Its shape, checked the same way.
void q4k_shape(const GgufFile& f, const TensorInfo& t, int64_t* n, int64_t* k);

}  // namespace qgemv::gguf
