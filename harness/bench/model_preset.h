#pragma once
// Model shapes the benchmarks are built from: per layer, the seven projections of a llama-style
// decoder (q, k, v, o, gate, up, down) as GEMVs y[n] = W[n x k] x[k].
#include <cstdint>
#include <string>
#include <vector>

namespace qgemv {

struct ModelPreset {
  std::string name;
  int64_t hidden = 0;
  int64_t intermediate = 0;
  int64_t kv_width = 0;  // key/value heads x head dimension
  int64_t layers = 0;
};

struct Projection {
  std::string name;  // q, k, v, o, gate, up, down
  int64_t n = 0;
  int64_t k = 0;
};

const std::vector<ModelPreset>& model_presets();
// Throws std::invalid_argument naming the known presets.
const ModelPreset& find_preset(const std::string& name);

// The seven projections of one layer, in the order a decode step issues them.
std::vector<Projection> layer_projections(const ModelPreset& p);

// Projections whose k is not a multiple of 256 cannot be stored as Q4_K (GGUF files keep such
// tensors in another type); the benchmarks skip them and say so.
bool q4k_representable(const Projection& p);

// Bytes of an n x k Q4_K matrix (144 bytes per 256 weights).
int64_t q4k_weight_bytes(int64_t n, int64_t k);

}  // namespace qgemv
