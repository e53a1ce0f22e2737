// qgemv_make_gguf: writes a synthetic llama-style GGUF model of a preset's shapes, for runs of
// `qgemv verify/bench/explain --gguf` where no real model file is at hand.
#include <iostream>

#include "harness/cli/args.h"
#include "properties/support/synthetic_gguf.h"

int main(int argc, char** argv) {
  using namespace qgemv;
  try {
    const cli::Args args(
        argc, argv, 1, {"preset", "name", "layers", "out", "seed", "version", "alignment", "vocab"},
        {"help", "mixed", "raw", "no-suffix"});
    if (args.has("help")) {
      std::cout << "usage: qgemv_make_gguf --preset P --out FILE.gguf [--layers L] [--mixed]\n"
                   "                       [--raw] [--no-suffix] [--seed S] [--version 2|3]\n"
                   "                       [--alignment 32] [--vocab 256] [--name NAME]\n"
                   "Writes a llama-style GGUF model of the preset's shapes: metadata, token_embd,\n"
                   "norms, q bias and every layer's seven projections in Q4_K (quantized from\n"
                   "normal floats; --raw: random blocks, fast for large models). --mixed keeps\n"
                   "attn_v and ffn_down of even layers in q6_K, as llama.cpp's Q4_K_M does.\n"
                   "general.name (the rows' model name): NAME, default <preset>-synthetic.\n"
                   "Reference: docs/gguf.md\n";
      return 0;
    }
    testing::SyntheticModel m{find_preset(args.require("preset"))};
    m.shape.layers = args.get_int("layers", m.shape.layers);
    m.name = args.get("name").value_or("");
    m.mixed_types = args.has("mixed");
    m.quantize_normal = !args.has("raw");
    m.weight_suffix = !args.has("no-suffix");
    m.seed = args.get_u64("seed", 1);
    m.version = uint32_t(args.get_int("version", 3));
    m.alignment = uint32_t(args.get_int("alignment", 32));
    m.vocab = args.get_int("vocab", m.vocab);
    const std::string out = args.require("out");
    testing::synthetic_llama(m).write_file(out);
    std::cerr << "wrote " << out << " (" << m.shape.name << ", " << m.shape.layers << " layers)\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "qgemv_make_gguf: " << e.what() << "\n";
    return 2;
  }
}
