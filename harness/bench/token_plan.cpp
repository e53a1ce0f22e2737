#include "harness/bench/token_plan.h"

#include <map>
#include <stdexcept>

#include "harness/bench/bench_weights.h"
#include "harness/gguf/ggml_type.h"
#include "harness/gguf/llama_tensors.h"

namespace qgemv {

int input_role(const std::string& projection) {
  if (projection == "o") return 1;
  if (projection == "gate" || projection == "up") return 2;
  if (projection == "down") return 3;
  return 0;
}

bool quantizes_input(const std::vector<TokenStep>& steps, size_t i) {
  if (i == 0) return true;
  // Steps go through a layer in projection order, so a step whose slot does not follow the
  // previous one's starts a new layer, whose inputs are new.
  const bool new_layer = steps[i].output <= steps[i - 1].output;
  return new_layer || input_role(steps[i].projection) != input_role(steps[i - 1].projection);
}

std::vector<TokenLaunch> token_launches(const std::vector<TokenStep>& steps) {
  std::vector<TokenLaunch> out;
  for (size_t i = 0; i < steps.size(); ++i) {
    const TokenStep& s = steps[i];
    if (i > 0 && !quantizes_input(steps, i) && s.k == out.back().k) {
      TokenLaunch& l = out.back();
      l.weight += "+" + s.weight;
      l.projection += "+" + s.projection;
      l.steps.push_back(i);
      l.n += s.n;
      continue;
    }
    out.push_back({s.weight, s.projection, {i}, s.n, s.k, s.output});
  }
  return out;
}

std::vector<TokenStep> token_steps(const ModelPreset& p) {
  std::vector<TokenStep> steps;
  const auto projections = layer_projections(p);
  for (int64_t layer = 0; layer < p.layers; ++layer)
    for (size_t i = 0; i < projections.size(); ++i) {
      const Projection& proj = projections[i];
      if (!q4k_representable(proj)) continue;
      steps.push_back(
          {gguf::projection_tensor_name(layer, proj.name), proj.name, proj.n, proj.k, int(i)});
    }
  return steps;
}

TokenPlan preset_token_plan(const ModelPreset& p, uint64_t seed) {
  TokenPlan plan;
  plan.model = p.name;
  plan.steps = token_steps(p);
  auto matrices = std::make_shared<std::map<std::string, Q4KMatrix>>();
  for (const Projection& proj : layer_projections(p)) {
    if (!q4k_representable(proj)) {
      plan.skipped.push_back(p.name + " " + proj.name + " (" + std::to_string(proj.n) + " x " +
                             std::to_string(proj.k) +
                             "): k is not a multiple of 256, so Q4_K cannot hold it");
      continue;
    }
    matrices->emplace(proj.name, random_bench_weights(proj.n, proj.k, seed + proj.n * 31 + proj.k));
  }
  for (const TokenStep& s : plan.steps)
    plan.weights.push_back({s.weight, s.n, s.k, matrices->at(s.projection).blocks.data()});
  plan.storage = matrices;
  return plan;
}

TokenPlan gguf_token_plan(std::shared_ptr<const gguf::GgufFile> file) {
  const gguf::LlamaTensors t = gguf::llama_tensors(*file);
  TokenPlan plan;
  plan.model = t.model;
  for (const gguf::ProjectionTensor& p : t.other)
    plan.skipped.push_back(p.tensor + " (" + gguf::ggml_type_name(p.type) +
                           "): not Q4_K, so no path runs it");
  if (t.q4k.empty())
    throw gguf::GgufError(file->label() + ": none of its " + std::to_string(t.other.size()) +
                          " projection tensors is Q4_K");
  for (const gguf::ProjectionTensor& p : t.q4k) {
    plan.steps.push_back({p.tensor, p.projection, p.n, p.k, p.projection_index});
    plan.weights.push_back({p.tensor, p.n, p.k, file->data(*file->find_tensor(p.tensor)).data()});
  }
  plan.storage = std::move(file);
  return plan;
}

}  // namespace qgemv
