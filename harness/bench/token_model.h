#pragma once
// One decode step on the device: a token plan's GEMVs (every layer's projections, each with
// weights in memory of their own), issued in one of the four modes and measured.
//
// The GEMVs do not chain: q, k, v, gate and up read one hidden-size input, o reads another,
// down an intermediate-size one; attention and activations are not part of qgemv.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/bench/gpu_timer.h"
#include "harness/bench/token_mode.h"
#include "harness/bench/token_plan.h"
#include "harness/executor/executor.h"
#include "harness/executor/workspace.h"

namespace qgemv {

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
  // Loads the plan's weights into the executor's store (replacing what it held); `seed` draws
  // the inputs.
  TokenModel(Executor& ex, TokenPlan plan, uint64_t seed);
  const std::vector<TokenStep>& steps() const { return plan_.steps; }
  // The workspace and graph modes' GEMV launches (stacked q/k/v and gate/up).
  const std::vector<TokenLaunch>& launches() const { return launches_; }
  const std::string& model() const { return plan_.model; }
  int64_t weight_bytes() const { return weight_bytes_; }
  // The fewest bytes a token moves on path p in the workspace and graph modes: weights, inputs
  // and outputs of every launch, and on two-stage paths the Q8_1 quantizations' traffic (one
  // per input).
  int64_t bytes(Path p) const;
  // Kernels one token launches on path p in the workspace and graph modes: the launches, and one
  // quantization per input on two-stage paths. The alloc and pool modes launch every GEMV on its
  // own and quantize before each, as the seed's per-call API does.
  int64_t kernels(Path p) const;

  // One token in mode m. `spin_cycles`: a spin kernel after the token's work, inside its time
  // (harness/bench/injection.h).
  TokenSample run(Path p, TokenMode m, std::optional<uint64_t> spin_cycles = std::nullopt);
  // GPU time of the token's kernels back to back: captured into a graph and replayed behind a
  // gate, so neither the host nor eager launch overhead is in the way.
  double back_to_back_us(Path p);
  // Per projection (and per quantization size on two-stage paths): its launches of every
  // layer back to back, timed the same way, divided by their number.
  std::vector<KernelGroupTime> kernel_groups_us(Path p);
  // Throws unless every workspace output holds finite values (after a workspace or graph run).
  void check_outputs();
  // The input a step reads, copied to the host.
  std::vector<float> input_values(const TokenStep& s) const;
  // The workspace outputs (each projection's last result), copied to the host.
  std::vector<std::vector<float>> output_snapshot();

 private:
  void issue_async(Path p);
  // Launch i of the token, quantizing its input first on two-stage paths when it is the first
  // to read it.
  void issue_into(Path p, size_t i);
  // Launch i's input into the workspace's Q8_1 buffer, with path p's convention for s.
  void quantize_into(Path p, size_t i);
  void gemv_into(Path p, size_t i);
  bool quantizes(size_t launch) const;
  // The workspace-form token on path p, recorded once per path while it is one of the last two.
  const CudaGraph& token_graph(Path p);
  double gated_us(const CudaGraph& g);
  const DeviceBuffer<float>& input_of(const TokenStep& s) const;
  const DeviceBuffer<float>& input_of(const TokenLaunch& l) const;

  Executor& ex_;
  TokenPlan plan_;
  std::vector<TokenLaunch> launches_;
  int64_t weight_bytes_ = 0;
  DeviceBuffer<float> inputs_[kInputRoles];
  Workspace workspace_;
  // The recorded tokens of the last two paths: an A/B graph row replays two in turn.
  std::vector<std::pair<Path, CudaGraph>> graphs_;
  CudaEvent start_, end_;
  GatedTimer timer_;
};

}  // namespace qgemv
