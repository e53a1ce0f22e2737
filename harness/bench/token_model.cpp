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

int64_t q8_bytes(int64_t k) { return k / kQ8Values * int64_t(sizeof(BlockQ8_1)); }

int64_t most(const std::vector<TokenStep>& steps, int64_t TokenStep::*field) {
  int64_t m = 0;
  for (const TokenStep& s : steps) m = std::max(m, s.*field);
  return m;
}

}  // namespace

TokenModel::TokenModel(Executor& ex, TokenPlan plan, uint64_t seed)
    : ex_(ex),
      plan_(std::move(plan)),
      workspace_(7, most(plan_.steps, &TokenStep::n), most(plan_.steps, &TokenStep::k)) {
  if (plan_.steps.empty()) throw std::invalid_argument(plan_.model + " has no GEMV Q4_K can hold");
  const cudaStream_t s = ex_.stream();
  for (const TokenStep& st : plan_.steps) weight_bytes_ += q4k_weight_bytes(st.n, st.k);
  ex_.weights().clear();
  ex_.weights().load_pooled(plan_.weights, s);
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

int64_t TokenModel::bytes(Path p) const {
  int64_t b = 0;
  for (const TokenStep& s : plan_.steps) {
    b += q4k_weight_bytes(s.n, s.k) + s.n * 4;
    // Two-stage paths read x, write and read its Q8_1 form.
    b += path_takes_q8(p) ? q8_bytes(s.k) : s.k * 4;
  }
  if (path_takes_q8(p))  // each quantization reads x and writes its Q8_1 form
    for (size_t i = 0; i < plan_.steps.size(); ++i)
      if (quantizes_input(plan_.steps, i)) b += plan_.steps[i].k * 4 + q8_bytes(plan_.steps[i].k);
  return b;
}

int64_t TokenModel::kernels(Path p) const {
  int64_t n = int64_t(plan_.steps.size());
  if (path_takes_q8(p))
    for (size_t i = 0; i < plan_.steps.size(); ++i) n += quantizes_input(plan_.steps, i);
  return n;
}

void TokenModel::issue_into(Path p, size_t i) {
  const TokenStep& s = plan_.steps[i];
  DeviceBuffer<float>& y = workspace_.output(size_t(s.output));
  if (path_takes_q8(p)) {
    if (quantizes_input(plan_.steps, i)) ex_.q8_quantize_into(input_of(s), workspace_.q8(), s.k);
    ex_.gemv_into(p, s.weight, workspace_.q8(), y, s.n, s.k);
  } else {
    ex_.gemv_into(p, s.weight, input_of(s), y, s.n, s.k);
  }
}

// The seed executor's pattern: each call returns a fresh output, which lives until the next
// call has been issued (its consumer); a two-stage call's Q8_1 buffer dies with the call.
void TokenModel::issue_async(Path p) {
  DeviceBuffer<float> previous;
  for (const TokenStep& s : plan_.steps) {
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
      for (size_t i = 0; i < plan_.steps.size(); ++i) issue_into(p, i);
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
      for (size_t i = 0; i < plan_.steps.size(); ++i) issue_into(p, i);
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
  for (size_t i = 0; i < plan_.steps.size(); ++i) {
    const TokenStep& st = plan_.steps[i];
    DeviceBuffer<float>* y = &workspace_.output(size_t(st.output));
    if (path_takes_q8(p)) {
      if (quantizes_input(plan_.steps, i))
        group("q8_quantize_" + std::to_string(st.k), 1, st.k, st.k * 4 + q8_bytes(st.k))
            .emplace_back(
                [this, &st] { ex_.q8_quantize_into(input_of(st), workspace_.q8(), st.k); });
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
  std::vector<const TokenStep*> last(outputs.size(), nullptr);  // each slot's last writer
  for (const TokenStep& st : plan_.steps) last[size_t(st.output)] = &st;
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (!last[i]) continue;
    for (int64_t r = 0; r < last[i]->n; ++r)
      if (!std::isfinite(outputs[i][size_t(r)]))
        throw std::runtime_error(plan_.model + " " + last[i]->weight + ": output element " +
                                 std::to_string(r) + " is not finite after a token");
  }
}

}  // namespace qgemv
