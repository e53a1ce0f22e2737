#include "harness/verify/gguf_verify.h"

#include <regex>
#include <sstream>

#include "harness/gguf/ggml_type.h"
#include "harness/gguf/llama_tensors.h"

namespace qgemv {
namespace {

// Activations as decoders see them: normal, heavy-tailed (outlier channels), mixed magnitudes.
constexpr testing::Values kInputs[] = {testing::Values::kNormal, testing::Values::kHeavyTailed,
                                       testing::Values::kMixedMagnitude, testing::Values::kSparse,
                                       testing::Values::kUniform};

}  // namespace

GgufVerifyReport verify_gguf(Executor& ex, const gguf::GgufFile& file, const GgufVerifyOptions& opt,
                             std::ostream& progress) {
  std::regex pattern;
  try {
    pattern = std::regex(opt.tensor_regex);
  } catch (const std::regex_error& e) {
    throw std::invalid_argument("--tensor '" + opt.tensor_regex + "' is not a regex: " + e.what());
  }
  const std::vector<Path>& paths = opt.paths;
  GgufVerifyReport out;
  int64_t matched = 0;
  for (const gguf::TensorInfo& t : file.tensors()) {
    if (!std::regex_search(t.name, pattern)) continue;
    ++matched;
    const std::string type = gguf::ggml_type_name(t.type);
    if (t.type != gguf::kTypeQ4K) {
      out.skipped.push_back(t.name + " (" + type + "): not Q4_K");
      continue;
    }
    Q4KMatrix w;
    try {
      w = gguf::q4k_matrix(file, t);
    } catch (const gguf::GgufError& e) {
      out.skipped.push_back(t.name + " (" + type + "): " + e.what());
      continue;
    }
    const std::string shape = std::to_string(w.n) + " x " + std::to_string(w.k);
    progress << "  " << t.name << " (" << shape << ")" << std::flush;
    ex.weights().load(t.name, w, ex.stream());
    size_t failures = 0;
    for (int64_t i = 0; i < opt.inputs; ++i) {
      const testing::Values kind = kInputs[size_t(i) % std::size(kInputs)];
      const uint64_t seed = case_seed(opt.seed, matched * 1000 + i);
      testing::Rng rng(seed);
      const std::vector<float> x = testing::random_values(rng, size_t(w.k), kind);
      std::ostringstream what;
      what << file.label() << " tensor " << t.name << " (" << shape << ") input "
           << testing::name(kind) << " seed " << seed;
      failures += verify_gemv(ex, paths, t.name, w, x, what.str(), 4, &out.report).size();
    }
    progress << (failures ? " FAILED\n" : " ok\n");
    ex.weights().clear();  // a whole model need not fit on the device
    out.verified.push_back(t.name + " (" + shape + ")");
  }
  if (matched == 0)
    throw std::invalid_argument(file.label() + ": no tensor name matches --tensor '" +
                                opt.tensor_regex + "' (" + std::to_string(file.tensors().size()) +
                                " tensors)");
  return out;
}

}  // namespace qgemv
