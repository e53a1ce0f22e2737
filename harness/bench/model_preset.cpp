#include "harness/bench/model_preset.h"

#include <stdexcept>

#include "kernels/formats/blocks.h"

namespace qgemv {

const std::vector<ModelPreset>& model_presets() {
  // From the models' config.json: hidden_size, intermediate_size,
  // num_key_value_heads x head_dim, num_hidden_layers.
  static const std::vector<ModelPreset> presets = {
      {"qwen2.5-0.5b", 896, 4864, 2 * 64, 24},
      {"qwen2.5-1.5b", 1536, 8960, 2 * 128, 28},
      {"qwen2.5-7b", 3584, 18944, 4 * 128, 28},
      {"llama-3-8b", 4096, 14336, 8 * 128, 32},
  };
  return presets;
}

const ModelPreset& find_preset(const std::string& name) {
  std::string known;
  for (const auto& p : model_presets()) {
    if (p.name == name) return p;
    known += (known.empty() ? "" : ", ") + p.name;
  }
  throw std::invalid_argument("unknown preset '" + name + "'; known: " + known);
}

std::vector<Projection> layer_projections(const ModelPreset& p) {
  return {{"q", p.hidden, p.hidden},          {"k", p.kv_width, p.hidden},
          {"v", p.kv_width, p.hidden},        {"o", p.hidden, p.hidden},
          {"gate", p.intermediate, p.hidden}, {"up", p.intermediate, p.hidden},
          {"down", p.hidden, p.intermediate}};
}

bool q4k_representable(const Projection& p) { return p.n > 0 && p.k > 0 && p.k % kQK == 0; }

int64_t q4k_weight_bytes(int64_t n, int64_t k) { return n * (k / kQK) * int64_t(sizeof(BlockQ4K)); }

}  // namespace qgemv
