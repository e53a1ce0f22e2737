#pragma once
// One decode step of a preset on the device: every layer's seven projections with weights of
// their own (distinct memory per layer), issued in one of the four modes and measured.
//
// The GEMVs do not chain: q, k, v, gate and up read one hidden-size input, o reads another,
// down an intermediate-size one; attention and activations are not part of qgemv. The layers
// hold copies of one random matrix per projection (values do not change a GEMV's time).
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/bench/gpu_timer.h"
#include "harness/bench/model_preset.h"
#include "harness/bench/token_mode.h"
#include "harness/executor/executor.h"
#include "harness/executor/workspace.h"

namespace qgemv {

struct TokenStep {
  std::string weight;  // llama-style tensor name, blk.<layer>.<tensor>
  std::string projection;
  int64_t n = 0, k = 0;
  int output = 0;  // workspace output slot (the projection's index in its layer)
};

// llama.cpp's tensor name for a projection of a layer: blk.3.attn_q, blk.3.ffn_down, ...
std::string tensor_name(int64_t layer, const std::string& projection);

// Every layer's representable projections, in issue order.
std::vector<TokenStep> token_steps(const ModelPreset& p);

struct KernelGroupTime {
  std::string kernel;  // projection name, or q8_quantize_<k>
  int64_t n = 0, k = 0;
  int64_t per_token = 0;  // launches per token
  double us_per_launch = 0;
  int64_t bytes_per_launch = 0;
};

// One token, measured from the host (steady clock) and the GPU (events around the token).
struct TokenSample {
  double wall_us = 0;    // host: from the first call to the end of the synchronisation
  double gpu_us = 0;     // GPU: from the token's first enqueued work to its last
  double alloc_us = 0;   // host time inside allocation and free calls
  double launch_us = 0;  // host time issuing, less alloc_us
  double sync_us = 0;    // host time in the final cudaStreamSynchronize
  int64_t allocations = 0;
  int64_t launches = 0;  // launch calls (a graph replay is one)
};

class TokenModel {
 public:
  TokenModel(Executor& ex, const ModelPreset& p, uint64_t seed);
  const std::vector<TokenStep>& steps() const { return steps_; }
  const ModelPreset& preset() const { return preset_; }
  int64_t weight_bytes() const { return weight_bytes_; }
  // The fewest bytes a token moves on path p: weights, inputs and outputs of every GEMV, and
  // the Q8_1 quantization's traffic on two-stage paths.
  int64_t bytes(Path p) const;
  // Kernels one token launches on path p (quantizations included).
  int64_t kernels(Path p) const;

  TokenSample run(Path p, TokenMode m, uint64_t delay_ns = 0);
  // GPU time of the token's kernels back to back: captured into a graph and replayed behind a
  // gate, so neither the host nor eager launch overhead is in the way.
  double back_to_back_us(Path p);
  // Per projection (and per quantization size on two-stage paths): its launches of every
  // layer back to back, timed the same way, divided by their number.
  std::vector<KernelGroupTime> kernel_groups_us(Path p);
  // Throws unless every workspace output holds finite values (after a workspace or graph run).
  void check_outputs();
  // The workspace outputs (each projection's last result), copied to the host.
  std::vector<std::vector<float>> output_snapshot();

 private:
  void issue_async(Path p);
  void issue_into(Path p, const TokenStep& s);
  // The workspace-form token on path p, recorded once per path.
  const CudaGraph& token_graph(Path p);
  double gated_us(const CudaGraph& g);
  const DeviceBuffer<float>& input_of(const TokenStep& s) const;

  Executor& ex_;
  ModelPreset preset_;
  std::vector<TokenStep> steps_;
  int64_t weight_bytes_ = 0;
  DeviceBuffer<float> x_hidden_, x_attention_, x_intermediate_;
  Workspace workspace_;
  std::optional<CudaGraph> graph_;
  Path graph_path_ = Path::kMwv;
  CudaEvent start_, end_;
  GatedTimer timer_;
};

}  // namespace qgemv
