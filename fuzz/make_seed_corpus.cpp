// Writes the GGUF fuzz target's seed corpus: small valid files that reach every part of the
// reader (both versions, alignments, every metadata type, arrays, llama-style projections in
// Q4_K and other types, names with and without ".weight").
#include <iostream>
#include <string>

#include "harness/gguf/ggml_type.h"
#include "harness/gguf/gguf_writer.h"
#include "harness/gguf/llama_tensors.h"

namespace {

using namespace qgemv::gguf;

std::vector<uint8_t> filler(uint32_t type, const std::vector<uint64_t>& dims, uint8_t seed) {
  std::vector<uint8_t> b(tensor_bytes(type, dims));
  for (size_t i = 0; i < b.size(); ++i) b[i] = uint8_t(seed + i * 31);
  return b;
}

GgufWriter tiny_llama(uint32_t version, uint32_t alignment, bool suffix, bool mixed) {
  GgufWriter w(version, alignment);
  w.add_string("general.architecture", "llama");
  w.add_string("general.name", "seed");
  w.add_u32("llama.block_count", 2);
  w.add_u32("llama.embedding_length", 256);
  w.add_strings("tokenizer.ggml.tokens", {"a", "b", "<s>"});
  for (int layer = 0; layer < 2; ++layer)
    for (int i = 0; i < 7; ++i) {
      const uint32_t type = mixed && i == 6 ? kTypeQ6K : kTypeQ4K;
      const std::vector<uint64_t> dims = {256, uint64_t(1 + i % 3)};
      w.add_tensor(projection_tensor_name(layer, kProjectionNames[size_t(i)].projection) +
                       (suffix ? ".weight" : ""),
                   dims, type, filler(type, dims, uint8_t(layer * 7 + i)));
    }
  w.add_tensor("output_norm.weight", {8}, kTypeF32, filler(kTypeF32, {8}, 9));
  return w;
}

GgufWriter every_value_type() {
  GgufWriter w(3, 16);
  w.add_u32("u32", 7);
  w.add_u64("u64", 1ull << 40);
  w.add_i32("i32", -5);
  w.add_f32("f32", 0.5f);
  w.add_bool("bool", true);
  w.add_string("string", "text");
  w.add_strings("strings", {"", "x", "yz"});
  w.add_f32s("floats", {1.0f, 2.0f});
  w.add_tensor("f16", {32, 2}, kTypeF16, filler(kTypeF16, {32, 2}, 3));
  w.add_tensor("q8_0", {32}, kTypeQ8_0, filler(kTypeQ8_0, {32}, 4));
  return w;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_seed_corpus DIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  tiny_llama(3, 32, true, false).write_file(dir + "/llama-v3.gguf");
  tiny_llama(2, 64, false, true).write_file(dir + "/llama-v2-mixed.gguf");
  tiny_llama(3, 1, true, true).write_file(dir + "/llama-align1.gguf");
  every_value_type().write_file(dir + "/value-types.gguf");
  GgufWriter(3).write_file(dir + "/empty.gguf");
  return 0;
}
