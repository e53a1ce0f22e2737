#include "harness/bench/token_model.h"

#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <stdexcept>

#include "harness/bench/bench_weights.h"
#include "harness/bench/kernel_bench.h"
#include "harness/executor/transfers.h"
#include "harness/verify/random_case.h"
#include "kernels/bench/bench_kernels.h"

namespace qgemv {
namespace {

using Clock = std::chrono::steady_clock;

double us_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

template <typename T>
int64_t most(const std::vector<T>& items, int64_t T::*field) {
  int64_t m = 0;
  for (const T& s : items) m = std::max(m, s.*field);
  return m;
}

}  // namespace

TokenModel::TokenModel(Executor& ex, TokenPlan plan, uint64_t seed)
    : ex_(ex),
      plan_(std::move(plan)),
      launches_(token_launches(plan_.steps)),
      workspace_(7, most(launches_, &TokenLaunch::n), most(plan_.steps, &TokenStep::k)) {
  if (plan_.steps.empty()) throw std::invalid_argument(plan_.model + " has no GEMV Q4_K can hold");
  const cudaStream_t s = ex_.stream();
  for (const TokenStep& st : plan_.steps) weight_bytes_ += q4k_weight_bytes(st.n, st.k);
  ex_.weights().clear();
  ex_.weights().load_pooled(plan_.weights, s);
  for (const TokenLaunch& l : launches_) {
    if (l.steps.size() < 2) continue;
    std::vector<std::string> parts;
    for (size_t i : l.steps) parts.push_back(plan_.steps[i].weight);
    ex_.weights().stack(l.weight, parts);
  }
  testing::Rng rng(seed);
  for (int role = 0; role < kInputRoles; ++role) {
    int64_t k = 0;
    for (const TokenStep& st : plan_.steps)
      if (input_role(st.projection) == role) k = std::max(k, st.k);
    inputs_[role] = upload(
        testing::random_values(rng, size_t(std::max<int64_t>(k, 1)), testing::Values::kNormal), s);
  }
  for (size_t i = 0; i < workspace_.outputs(); ++i) poison(workspace_.output(i), s);
}

const DeviceBuffer<float>& TokenModel::input_of(const TokenStep& s) const {
  return inputs_[input_role(s.projection)];
}

const DeviceBuffer<float>& TokenModel::input_of(const TokenLaunch& l) const {
  return input_of(plan_.steps[l.steps.front()]);  // the parts share their input
}

bool TokenModel::quantizes(size_t launch) const {
  return quantizes_input(plan_.steps, launches_[launch].steps.front());
}

int64_t TokenModel::bytes(Path p) const {
  int64_t b = 0;
  for (size_t i = 0; i < launches_.size(); ++i) {
    const TokenLaunch& l = launches_[i];
    b += gemv_bytes(p, l.n, l.k);
    if (path_takes_q8(p) && quantizes(i)) b += quantize_bytes(l.k);
  }
  return b;
}

int64_t TokenModel::kernels(Path p) const {
  int64_t n = int64_t(launches_.size());
  if (path_takes_q8(p))
    for (size_t i = 0; i < launches_.size(); ++i) n += quantizes(i);
  return n;
}

void TokenModel::issue_into(Path p, size_t i) {
  if (path_takes_q8(p) && quantizes(i)) quantize_into(p, i);
  gemv_into(p, i);
}

void TokenModel::quantize_into(Path p, size_t i) {
  const TokenLaunch& l = launches_[i];
  ex_.q8_quantize_into(input_of(l), workspace_.q8(), l.k, p->q8_sum);
}

void TokenModel::gemv_into(Path p, size_t i) {
  const TokenLaunch& l = launches_[i];
  DeviceBuffer<float>& y = workspace_.output(size_t(l.output));
  if (path_takes_q8(p))
    ex_.gemv_into(p, l.weight, workspace_.q8(), y, l.n, l.k);
  else
    ex_.gemv_into(p, l.weight, input_of(l), y, l.n, l.k);
}

// The seed executor's pattern: each call returns a fresh output, which lives until the next
// call has been issued (its consumer); a two-stage call's Q8_1 buffer dies with the call.
void TokenModel::issue_async(Path p) {
  DeviceBuffer<float> previous;
  for (const TokenStep& s : plan_.steps) {
    if (path_takes_q8(p)) {
      const DeviceBuffer<BlockQ8_1> xq = ex_.q8_quantize_async(input_of(s), s.k, p->q8_sum);
      previous = ex_.gemv_async(p, s.weight, xq, s.n, s.k);
    } else {
      previous = ex_.gemv_async(p, s.weight, input_of(s), s.n, s.k);
    }
  }
}

TokenSample TokenModel::run(Path p, TokenMode m, std::optional<uint64_t> spin_cycles) {
  const cudaStream_t s = ex_.stream();
  ex_.set_alloc_mode(m == TokenMode::kPool ? AllocMode::kStreamOrdered : AllocMode::kDevice);
  const CudaGraph* graph = m == TokenMode::kGraph ? &token_graph(p) : nullptr;
  const int64_t allocations0 = AllocationCounters::allocations + AllocationCounters::frees;
  const int64_t alloc_ns0 = AllocationCounters::host_ns;
  const int64_t launches0 = ex_.launches();
  TokenSample t;
  const Clock::time_point t0 = Clock::now();
  start_.record(s);
  switch (m) {
    case TokenMode::kAlloc:
    case TokenMode::kPool:
      issue_async(p);
      break;
    case TokenMode::kWorkspace:
      for (size_t i = 0; i < launches_.size(); ++i) issue_into(p, i);
      break;
    case TokenMode::kGraph:
      graph->replay(s);
      break;
  }
  if (spin_cycles) QGEMV_CUDA_CTX(launch_spin_cycles(*spin_cycles, s), "spin_kernel");
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
  for (const auto& [path, graph] : graphs_)
    if (path == p) return graph;
  if (graphs_.size() == 2) graphs_.erase(graphs_.begin());
  graphs_.emplace_back(p, ex_.record([&] {
    for (size_t i = 0; i < launches_.size(); ++i) issue_into(p, i);
  }));
  return graphs_.back().second;
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
  for (size_t i = 0; i < launches_.size(); ++i) {
    const TokenLaunch& l = launches_[i];
    if (path_takes_q8(p) && quantizes(i))
      group("q8_quantize_" + std::to_string(l.k), 1, l.k, quantize_bytes(l.k))
          .emplace_back([this, p, i] { quantize_into(p, i); });
    group(l.projection, l.n, l.k, gemv_bytes(p, l.n, l.k)).emplace_back([this, p, i] {
      gemv_into(p, i);
    });
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

std::vector<float> TokenModel::input_values(const TokenStep& s) const {
  ex_.synchronize();
  return download(input_of(s), ex_.stream());
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
  std::vector<const TokenLaunch*> last(outputs.size(), nullptr);  // each slot's last writer
  for (const TokenLaunch& l : launches_) last[size_t(l.output)] = &l;
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (!last[i]) continue;
    for (int64_t r = 0; r < last[i]->n; ++r)
      if (!std::isfinite(outputs[i][size_t(r)]))
        throw std::runtime_error(plan_.model + " " + last[i]->weight + ": output element " +
                                 std::to_string(r) + " is not finite after a token");
  }
}

}  // namespace qgemv
