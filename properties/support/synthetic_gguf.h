#pragma once
// Llama-style GGUF files made up for tests, fuzz seeds and GPU runs without a real model: the
// metadata llama.cpp writes, token_embd and norms, and every layer's seven projections as Q4_K
// or, as llama.cpp's Q4_K_M mix does, some as q6_K.
#include <cstdint>
#include <string>
#include <utility>

#include "harness/bench/model_preset.h"
#include "harness/gguf/gguf_writer.h"

namespace qgemv::testing {

struct SyntheticModel {
  explicit SyntheticModel(ModelPreset s) : shape(std::move(s)) {}
  ModelPreset shape;
  std::string name;  // general.name; empty: the preset's name with "-synthetic"
  int64_t vocab = 256;
  bool mixed_types = false;     // attn_v and ffn_down of even layers in q6_K
  bool weight_suffix = true;    // "blk.0.attn_q.weight" (as llama.cpp) or "blk.0.attn_q"
  bool quantize_normal = true;  // Q4_K quantized from normal floats; else raw random blocks
  uint32_t version = 3;
  uint32_t alignment = 32;
  uint64_t seed = 1;
};

gguf::GgufWriter synthetic_llama(const SyntheticModel& m);

}  // namespace qgemv::testing
