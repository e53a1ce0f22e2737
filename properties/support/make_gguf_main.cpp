// qgemv_make_gguf: writes a synthetic llama-style GGUF model of a preset's shapes, for runs of
// `qgemv verify/bench/explain --gguf` where no real model file is at hand.
#include <iostream>
#include <optional>

#include "harness/cli/args.h"
#include "properties/support/synthetic_gguf.h"

namespace {

constexpr const char* kHelp =
    R"(usage: qgemv_make_gguf --preset P --out FILE.gguf [--layers L] [--mixed]
                       [--raw] [--no-suffix] [--seed S] [--version 2|3]
                       [--alignment 32] [--vocab 256] [--name NAME]
Writes a llama-style GGUF model of the preset's shapes: metadata, token_embd,
norms, q bias and every layer's seven projections in Q4_K (quantized from
normal floats; --raw: random blocks, fast for large models). --mixed keeps
attn_v and ffn_down of even layers in q6_K, as llama.cpp's Q4_K_M does.
general.name (the rows' model name): NAME, default <preset>-synthetic.
--layers 1 to 1024 (default: the preset's), --version 2 or 3 (default 3),
--alignment a power of two from 1 to 65536 (default 32), --vocab 1 to 1048576
(default 256). Tensors are made one at a time as the file is written, which
replaces FILE only once it is complete.
Exit 0 written, 1 the file could not be written, 2 usage.
Reference: docs/gguf.md
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace qgemv;
  try {
    const cli::Args args(
        argc, argv, 1, {"preset", "name", "layers", "out", "seed", "version", "alignment", "vocab"},
        {"help", "mixed", "raw", "no-suffix"});
    if (args.has("help")) {
      std::cout << kHelp;
      return cli::kExitOk;
    }
    const std::string preset = args.require("preset");
    std::optional<testing::SyntheticModel> model;
    try {
      model.emplace(find_preset(preset));
    } catch (const std::invalid_argument& e) {
      throw cli::UsageError(e.what());
    }
    testing::SyntheticModel& m = *model;
    m.shape.layers = args.get_int_in("layers", m.shape.layers, 1, 1024);
    m.name = args.get("name").value_or("");
    m.mixed_types = args.has("mixed");
    m.quantize_normal = !args.has("raw");
    m.weight_suffix = !args.has("no-suffix");
    m.seed = args.get_u64("seed", 1);
    m.version = uint32_t(args.get_int_in("version", 3, 2, 3));
    const int64_t alignment = args.get_int_in("alignment", 32, 1, 65536);
    if ((alignment & (alignment - 1)) != 0)
      throw cli::UsageError("--alignment must be a power of two, got " + std::to_string(alignment));
    m.alignment = uint32_t(alignment);
    m.vocab = args.get_int_in("vocab", m.vocab, 1, 1 << 20);
    const std::string out = args.require("out");
    testing::synthetic_llama(m).write_file(out);
    std::cerr << "wrote " << out << " (" << m.shape.name << ", " << m.shape.layers << " layers)\n";
    return cli::kExitOk;
  } catch (const cli::UsageError& e) {
    std::cerr << "qgemv_make_gguf: " << e.what() << " (see qgemv_make_gguf --help)\n";
    return cli::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "qgemv_make_gguf: " << e.what() << "\n";
    return cli::kExitFailed;
  }
}
