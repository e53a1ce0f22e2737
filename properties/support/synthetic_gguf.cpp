#include "properties/support/synthetic_gguf.h"

#include <cstring>
#include <random>

#include "harness/bench/bench_weights.h"
#include "harness/gguf/ggml_type.h"
#include "harness/gguf/llama_tensors.h"
#include "harness/verify/random_case.h"

namespace qgemv::testing {
namespace {

std::vector<uint8_t> q4k_bytes(bool quantize_normal, int64_t n, int64_t k, uint64_t seed) {
  Rng rng(seed);
  const Q4KMatrix w = quantize_normal ? random_weights(rng, n, k, Weights::kFromNormal)
                                      : random_bench_weights(n, k, seed);
  std::vector<uint8_t> b(w.bytes());
  std::memcpy(b.data(), w.blocks.data(), b.size());
  return b;
}

// Bytes for tensors qgemv never reads: random, except f32 norms, which are finite.
std::vector<uint8_t> filler_bytes(uint32_t type, const std::vector<uint64_t>& dims, uint64_t seed) {
  std::vector<uint8_t> b(gguf::tensor_bytes(type, dims));
  std::mt19937_64 rng(seed);
  if (type == gguf::kTypeF32) {
    std::normal_distribution<float> normal(1.0f, 0.1f);
    for (size_t i = 0; i + 4 <= b.size(); i += 4) {
      const float f = normal(rng);
      std::memcpy(&b[i], &f, 4);
    }
  } else {
    for (auto& x : b) x = uint8_t(rng());
  }
  return b;
}

// Made when the file is written, as every tensor's bytes are.
gguf::GgufWriter::TensorData filler(uint32_t type, const std::vector<uint64_t>& dims,
                                    uint64_t seed) {
  return [type, dims, seed] { return filler_bytes(type, dims, seed); };
}

}  // namespace

gguf::GgufWriter synthetic_llama(const SyntheticModel& m) {
  const ModelPreset& p = m.shape;
  gguf::GgufWriter w(m.version, m.alignment);
  w.add_string("general.architecture", "llama");
  // Rows of `bench --gguf` carry this name: distinct from the preset's, so the two never merge.
  w.add_string("general.name", m.name.empty() ? p.name + "-synthetic" : m.name);
  w.add_u32("general.file_type", 15);  // MOSTLY_Q4_K_M
  w.add_u32("llama.block_count", uint32_t(p.layers));
  w.add_u32("llama.context_length", 4096);
  w.add_u32("llama.embedding_length", uint32_t(p.hidden));
  w.add_u32("llama.feed_forward_length", uint32_t(p.intermediate));
  const uint32_t head_dim = p.hidden % 128 == 0 ? 128 : 64;
  w.add_u32("llama.attention.head_count", uint32_t(p.hidden / head_dim));
  w.add_u32("llama.attention.head_count_kv", uint32_t(p.kv_width / head_dim));
  w.add_f32("llama.rope.freq_base", 1e6f);
  w.add_f32("llama.attention.layer_norm_rms_epsilon", 1e-6f);
  w.add_string("tokenizer.ggml.model", "gpt2");
  std::vector<std::string> tokens;
  for (int64_t i = 0; i < m.vocab; ++i) tokens.push_back("tok" + std::to_string(i));
  w.add_strings("tokenizer.ggml.tokens", tokens);
  w.add_f32s("tokenizer.ggml.scores", std::vector<float>(size_t(m.vocab), 0.0f));

  const uint64_t h = uint64_t(p.hidden);
  // Rows that are not whole 256-value blocks go to q8_0, as llama.cpp falls back to.
  const uint32_t embd_type = h % kQK == 0 ? gguf::kTypeQ6K : gguf::kTypeQ8_0;
  w.add_tensor("token_embd.weight", {h, uint64_t(m.vocab)}, embd_type,
               filler(embd_type, {h, uint64_t(m.vocab)}, m.seed));
  const std::string suffix = m.weight_suffix ? ".weight" : "";
  for (int64_t layer = 0; layer < p.layers; ++layer) {
    const std::string blk = "blk." + std::to_string(layer) + ".";
    w.add_tensor(blk + "attn_norm.weight", {h}, gguf::kTypeF32,
                 filler(gguf::kTypeF32, {h}, m.seed + uint64_t(layer)));
    const auto projections = layer_projections(p);
    for (size_t i = 0; i < projections.size(); ++i) {
      const Projection& proj = projections[i];
      const std::vector<uint64_t> dims = {uint64_t(proj.k), uint64_t(proj.n)};
      const std::string name = gguf::projection_tensor_name(layer, proj.name) + suffix;
      const uint64_t seed = m.seed * 1000003 + uint64_t(layer) * 16 + i;
      const bool q6 = m.mixed_types && layer % 2 == 0 && (proj.name == "v" || proj.name == "down");
      if (!q4k_representable(proj))
        w.add_tensor(name, dims, gguf::kTypeQ8_0, filler(gguf::kTypeQ8_0, dims, seed));
      else if (q6)
        w.add_tensor(name, dims, gguf::kTypeQ6K, filler(gguf::kTypeQ6K, dims, seed));
      else
        w.add_tensor(name, dims, gguf::kTypeQ4K,
                     [quantize = m.quantize_normal, n = proj.n, k = proj.k, seed] {
                       return q4k_bytes(quantize, n, k, seed);
                     });
      if (proj.name == "q")
        w.add_tensor(blk + "attn_q.bias", {uint64_t(proj.n)}, gguf::kTypeF32,
                     filler(gguf::kTypeF32, {uint64_t(proj.n)}, seed));
    }
    w.add_tensor(blk + "ffn_norm.weight", {h}, gguf::kTypeF32,
                 filler(gguf::kTypeF32, {h}, m.seed + 7 * uint64_t(layer)));
  }
  w.add_tensor("output_norm.weight", {h}, gguf::kTypeF32, filler(gguf::kTypeF32, {h}, m.seed));
  return w;
}

}  // namespace qgemv::testing
