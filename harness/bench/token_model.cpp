#include "harness/bench/token_model.h"

#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <stdexcept>

#include "harness/bench/bench_weights.h"
#include "harness/executor/transfers.h"
#include "harness/verify/random_case.h"
#include "kernels/bench/bench_kernels.h"

namespace qgemv {
namespace {

using Clock = std::chrono::steady_clock;

double us_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

int64_t largest_dimension(const ModelPreset& p) {
  return std::max({p.hidden, p.intermediate, p.kv_width});
}

int64_t q8_bytes(int64_t k) { return k / kQ8Values * int64_t(sizeof(BlockQ8_1)); }

}  // namespace

std::string tensor_name(int64_t layer, const std::string& projection) {
  static const std::map<std::string, std::string> tensors = {
      {"q", "attn_q"},      {"k", "attn_k"},  {"v", "attn_v"},     {"o", "attn_output"},
      {"gate", "ffn_gate"}, {"up", "ffn_up"}, {"down", "ffn_down"}};
  return "blk." + std::to_string(layer) + "." + tensors.at(projection);
}

std::vector<TokenStep> token_steps(const ModelPreset& p) {
  std::vector<TokenStep> steps;
  const auto projections = layer_projections(p);
  for (int64_t layer = 0; layer < p.layers; ++layer)
    for (size_t i = 0; i < projections.size(); ++i) {
      const Projection& proj = projections[i];
      if (!q4k_representable(proj)) continue;
      steps.push_back({tensor_name(layer, proj.name), proj.name, proj.n, proj.k, int(i)});
    }
  return steps;
}

TokenModel::TokenModel(Executor& ex, const ModelPreset& p, uint64_t seed)
    : ex_(ex),
      preset_(p),
      steps_(token_steps(p)),
      workspace_(int64_t(layer_projections(p).size()), largest_dimension(p), largest_dimension(p)) {
  if (steps_.empty())
    throw std::invalid_argument("preset " + p.name + " has no projection Q4_K can hold");
  const cudaStream_t s = ex_.stream();
  std::map<std::string, Q4KMatrix> matrices;
  for (const Projection& proj : layer_projections(p))
    if (q4k_representable(proj))
      matrices.emplace(proj.name,
                       random_bench_weights(proj.n, proj.k, seed + proj.n * 31 + proj.k));
  std::vector<std::pair<std::string, const Q4KMatrix*>> named;
  for (const TokenStep& st : steps_) {
    named.emplace_back(st.weight, &matrices.at(st.projection));
    weight_bytes_ += q4k_weight_bytes(st.n, st.k);
  }
  ex_.weights().clear();
  ex_.weights().load_pooled(named, s);
  testing::Rng rng(seed);
  using testing::Values;
  x_hidden_ = upload(testing::random_values(rng, size_t(p.hidden), Values::kNormal), s);
  x_attention_ = upload(testing::random_values(rng, size_t(p.hidden), Values::kNormal), s);
  x_intermediate_ = upload(testing::random_values(rng, size_t(p.intermediate), Values::kNormal), s);
  for (size_t i = 0; i < workspace_.outputs(); ++i) poison(workspace_.output(i), s);
}

const DeviceBuffer<float>& TokenModel::input_of(const TokenStep& s) const {
  if (s.projection == "down") return x_intermediate_;
  if (s.projection == "o") return x_attention_;
  return x_hidden_;
}

int64_t TokenModel::bytes(Path p) const {
  int64_t b = 0;
  for (const TokenStep& s : steps_) {
    b += q4k_weight_bytes(s.n, s.k) + s.n * 4;
    // Two-stage paths read x, write and read its Q8_1 form.
    b += path_takes_q8(p) ? s.k * 4 + 2 * q8_bytes(s.k) : s.k * 4;
  }
  return b;
}

int64_t TokenModel::kernels(Path p) const {
  return int64_t(steps_.size()) * (path_takes_q8(p) ? 2 : 1);
}

void TokenModel::issue_into(Path p, const TokenStep& s) {
  DeviceBuffer<float>& y = workspace_.output(size_t(s.output));
  if (path_takes_q8(p)) {
    ex_.q8_quantize_into(input_of(s), workspace_.q8(), s.k);
    ex_.gemv_into(p, s.weight, workspace_.q8(), y, s.n, s.k);
  } else {
    ex_.gemv_into(p, s.weight, input_of(s), y, s.n, s.k);
  }
}

// The seed executor's pattern: each call returns a fresh output, which lives until the next
// call has been issued (its consumer); a two-stage call's Q8_1 buffer dies with the call.
void TokenModel::issue_async(Path p) {
  DeviceBuffer<float> previous;
  for (const TokenStep& s : steps_) {
    if (path_takes_q8(p)) {
      const DeviceBuffer<BlockQ8_1> xq = ex_.q8_quantize_async(input_of(s), s.k);
      previous = ex_.gemv_async(p, s.weight, xq, s.n, s.k);
    } else {
      previous = ex_.gemv_async(p, s.weight, input_of(s), s.n, s.k);
    }
  }
}

TokenSample TokenModel::run(Path p, TokenMode m, uint64_t delay_ns) {
  const cudaStream_t s = ex_.stream();
  ex_.set_alloc_mode(m == TokenMode::kPool ? AllocMode::kStreamOrdered : AllocMode::kDevice);
  const CudaGraph* graph = m == TokenMode::kGraph ? &token_graph(p) : nullptr;
  const int64_t allocations0 = AllocationCounters::allocations + AllocationCounters::frees;
  const int64_t alloc_ns0 = AllocationCounters::host_ns;
  const int64_t launches0 = ex_.launches();
  TokenSample t;
  const Clock::time_point t0 = Clock::now();
  start_.record(s);
  if (delay_ns) QGEMV_CUDA(launch_delay(delay_ns, s));
  switch (m) {
    case TokenMode::kAlloc:
    case TokenMode::kPool:
      issue_async(p);
      break;
    case TokenMode::kWorkspace:
      for (const TokenStep& st : steps_) issue_into(p, st);
      break;
    case TokenMode::kGraph:
      graph->replay(s);
      break;
  }
  end_.record(s);
  const Clock::time_point t1 = Clock::now();
  QGEMV_CUDA(cudaStreamSynchronize(s));
  const Clock::time_point t2 = Clock::now();
  t.wall_us = us_between(t0, t2);
  t.sync_us = us_between(t1, t2);
  t.alloc_us = double(AllocationCounters::host_ns - alloc_ns0) * 1e-3;
  t.launch_us = us_between(t0, t1) - t.alloc_us;
  t.gpu_us = elapsed_us(start_, end_);
  t.allocations = AllocationCounters::allocations + AllocationCounters::frees - allocations0;
  t.launches = m == TokenMode::kGraph ? 1 : ex_.launches() - launches0;
  return t;
}

const CudaGraph& TokenModel::token_graph(Path p) {
  if (!graph_ || graph_path_ != p) {
    graph_.reset();
    graph_ = ex_.record([&] {
      for (const TokenStep& st : steps_) issue_into(p, st);
    });
    graph_path_ = p;
  }
  return *graph_;
}

// Replayed behind a gate: kernel time with the least launch overhead CUDA offers, and no host
// in the way.
double TokenModel::gated_us(const CudaGraph& g) {
  const cudaStream_t s = ex_.stream();
  g.replay(s);  // the first replay uploads the graph
  return timer_.time_steps(s, 1, [&](size_t) { g.replay(s); })[0];
}

double TokenModel::back_to_back_us(Path p) { return gated_us(token_graph(p)); }

std::vector<KernelGroupTime> TokenModel::kernel_groups_us(Path p) {
  std::vector<KernelGroupTime> groups;
  std::vector<std::vector<std::function<void()>>> launches;
  auto group = [&](const std::string& name, int64_t n, int64_t k, int64_t bytes) -> auto& {
    for (size_t i = 0; i < groups.size(); ++i)
      if (groups[i].kernel == name) return launches[i];
    groups.push_back({name, n, k, 0, 0, bytes});
    launches.emplace_back();
    return launches.back();
  };
  for (const TokenStep& st : steps_) {
    DeviceBuffer<float>* y = &workspace_.output(size_t(st.output));
    if (path_takes_q8(p)) {
      group("q8_quantize_" + std::to_string(st.k), 1, st.k, st.k * 4 + q8_bytes(st.k))
          .emplace_back([this, &st] { ex_.q8_quantize_into(input_of(st), workspace_.q8(), st.k); });
      group(st.projection, st.n, st.k, q4k_weight_bytes(st.n, st.k) + q8_bytes(st.k) + st.n * 4)
          .emplace_back(
              [this, p, &st, y] { ex_.gemv_into(p, st.weight, workspace_.q8(), *y, st.n, st.k); });
    } else {
      group(st.projection, st.n, st.k, q4k_weight_bytes(st.n, st.k) + st.k * 4 + st.n * 4)
          .emplace_back(
              [this, p, &st, y] { ex_.gemv_into(p, st.weight, input_of(st), *y, st.n, st.k); });
    }
  }
  for (size_t i = 0; i < groups.size(); ++i) {
    groups[i].per_token = int64_t(launches[i].size());
    const CudaGraph g = ex_.record([&] {
      for (const auto& launch : launches[i]) launch();
    });
    groups[i].us_per_launch = gated_us(g) / double(launches[i].size());
  }
  return groups;
}

std::vector<std::vector<float>> TokenModel::output_snapshot() {
  ex_.synchronize();
  std::vector<std::vector<float>> out;
  for (size_t i = 0; i < workspace_.outputs(); ++i)
    out.push_back(download(workspace_.output(i), ex_.stream()));
  return out;
}

void TokenModel::check_outputs() {
  const auto outputs = output_snapshot();
  const auto projections = layer_projections(preset_);
  for (size_t i = 0; i < outputs.size(); ++i) {
    const std::vector<float>& y = outputs[i];
    const Projection& proj = projections[i];
    if (!q4k_representable(proj)) continue;
    for (int64_t r = 0; r < proj.n; ++r)
      if (!std::isfinite(y[size_t(r)]))
        throw std::runtime_error(preset_.name + " " + proj.name + ": output element " +
                                 std::to_string(r) + " is not finite after a token");
  }
}

}  // namespace qgemv
