#pragma once
// What one decode step issues and where its weights come from: a preset's shapes with random
// weights, or a GGUF file's Q4_K projection tensors read in place.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "harness/bench/model_preset.h"
#include "harness/executor/weight_store.h"
#include "harness/gguf/gguf_file.h"

namespace qgemv {

struct TokenStep {
  std::string weight;      // the weight's name: a GGUF tensor name, or blk.<layer>.<tensor>
  std::string projection;  // q, k, v, o, gate, up, down
  int64_t n = 0, k = 0;
  int output = 0;  // workspace output slot (the projection's index in its layer)
};

struct TokenPlan {
  std::string model;                 // the rows' preset column: a preset's name or the GGUF model's
  std::vector<TokenStep> steps;      // issue order
  std::vector<HostWeight> weights;   // the steps' weights, each once
  std::vector<std::string> skipped;  // what a token leaves out, and why
  std::shared_ptr<const void> storage;  // keeps the weights' bytes alive
};

// The decoder input a projection reads: 0 the attention block's (q, k, v), 1 the attention
// output (o), 2 the feed-forward block's (gate, up), 3 the intermediate activation (down).
inline constexpr int kInputRoles = 4;
int input_role(const std::string& projection);

// Whether step i must quantize its input on a two-stage path when one Q8_1 quantization is
// shared by consecutive GEMVs that read the same input (workspace and graph modes).
bool quantizes_input(const std::vector<TokenStep>& steps, size_t i);

// One GEMV launch of the workspace and graph modes: the consecutive steps of a layer that read
// one input with one k (q, k and v; gate and up), their weights stacked into one matrix so that
// one launch computes them all and writes their outputs one after another; or a single step.
// Each part's rows are computed as in a launch of its own, so each stays checkable.
struct TokenLaunch {
  std::string weight;         // the step's weight, or the parts' names joined by '+'
  std::string projection;     // the step's projection, or the parts' joined by '+' ("q+k+v")
  std::vector<size_t> steps;  // indices into the plan's steps, in order
  int64_t n = 0, k = 0;       // n: the parts' rows together
  int output = 0;             // workspace output slot: the first part's
};

// The launches of a token, in issue order; stacked weights assume the plan's weights are loaded
// pooled in step order (consecutive in the arena).
std::vector<TokenLaunch> token_launches(const std::vector<TokenStep>& steps);

// Every layer's representable projections, in issue order.
std::vector<TokenStep> token_steps(const ModelPreset& p);

// The preset's layers, each projection holding one random matrix (values do not change a
// GEMV's time) under a name of its own.
TokenPlan preset_token_plan(const ModelPreset& p, uint64_t seed);

// Every Q4_K projection tensor of the file, in layer and projection order, read in place; the
// projections in other types are listed as skipped. Throws GgufError if none is Q4_K.
TokenPlan gguf_token_plan(std::shared_ptr<const gguf::GgufFile> file);

}  // namespace qgemv
