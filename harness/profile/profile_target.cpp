#include "harness/profile/profile_target.h"

#include <cuda_profiler_api.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <set>
#include <stdexcept>

#include "harness/bench/kernel_bench.h"
#include "harness/bench/token_mode.h"
#include "harness/bench/token_model.h"
#include "harness/executor/cuda_check.h"
#include "harness/executor/device_info.h"
#include "harness/executor/transfers.h"
#include "harness/verify/random_case.h"
#include "kernels/bench/bench_kernels.h"
#include "kernels/probes/profile_probes.h"

namespace qgemv::profile {
namespace {

// "blk.12.attn_q.weight" (GGUF) and "blk.12.q" (presets) are layer 12; other names no layer.
std::string layer_of(const std::string& weight) {
  if (weight.rfind("blk.", 0) != 0) return "";
  const size_t dot = weight.find('.', 4);
  return weight.substr(4, dot == std::string::npos ? std::string::npos : dot - 4);
}

// Starts and stops Nsight Compute's collection around the profiled launches.
struct ProfiledRegion {
  explicit ProfiledRegion(cudaStream_t s) : stream(s) {
    QGEMV_CUDA(cudaStreamSynchronize(stream));
    QGEMV_CUDA(cudaProfilerStart());
  }
  ~ProfiledRegion() {
    cudaStreamSynchronize(stream);
    cudaProfilerStop();
  }
  ProfiledRegion(const ProfiledRegion&) = delete;
  ProfiledRegion& operator=(const ProfiledRegion&) = delete;
  cudaStream_t stream;
};

}  // namespace

TokenPlan first_layer(TokenPlan plan, int64_t* layers) {
  std::set<std::string> seen;
  for (const TokenStep& s : plan.steps) seen.insert(layer_of(s.weight));
  *layers = int64_t(seen.size());
  if (plan.steps.empty()) return plan;
  const std::string first = layer_of(plan.steps.front().weight);
  std::vector<TokenStep> steps;
  std::set<std::string> names;
  for (const TokenStep& s : plan.steps)
    if (layer_of(s.weight) == first) {
      steps.push_back(s);
      names.insert(s.weight);
    }
  std::vector<HostWeight> weights;
  for (const HostWeight& w : plan.weights)
    if (names.count(w.name)) weights.push_back(w);
  plan.steps = std::move(steps);
  plan.weights = std::move(weights);
  return plan;
}

std::vector<LaunchLabel> profile_token_layer(Executor& ex, TokenPlan plan, Path p, uint64_t seed) {
  int64_t layers = 0;
  plan = first_layer(std::move(plan), &layers);
  TokenModel model(ex, std::move(plan), seed);
  std::vector<LaunchLabel> out;
  for (const TokenLaunch& l : model.launches()) {
    if (path_takes_q8(p) && quantizes_input(model.steps(), l.steps.front()))
      out.push_back({"q8_quantize", 1, l.k, layers, quantize_bytes(l.k)});
    out.push_back({l.projection, l.n, l.k, layers, gemv_bytes(p, l.n, l.k)});
  }
  model.run(p, TokenMode::kWorkspace);  // modules loaded, weights and inputs in place
  {
    const ProfiledRegion region(ex.stream());
    model.run(p, TokenMode::kWorkspace);
  }
  model.check_outputs();
  return out;
}

std::vector<LaunchLabel> profile_kernel_layer(Executor& ex, TokenPlan plan, Path p, uint64_t seed) {
  int64_t layers = 0;
  plan = first_layer(std::move(plan), &layers);
  const cudaStream_t s = ex.stream();
  ex.weights().clear();
  ex.weights().load_pooled(plan.weights, s);
  testing::Rng rng(seed);
  struct Operands {
    DeviceBuffer<float> x, y;
    DeviceBuffer<BlockQ8_1> xq;
  };
  std::vector<Operands> ops;
  std::vector<LaunchLabel> out;
  const bool q8 = path_takes_q8(p);
  for (const TokenStep& st : plan.steps) {
    ops.push_back({upload(testing::random_values(rng, size_t(st.k), testing::Values::kNormal), s),
                   DeviceBuffer<float>(size_t(st.n)),
                   DeviceBuffer<BlockQ8_1>(size_t((st.k + kQ8Values - 1) / kQ8Values))});
    if (q8) out.push_back({"q8_quantize", 1, st.k, layers, quantize_bytes(st.k)});
    out.push_back({st.projection, st.n, st.k, layers, gemv_bytes(p, st.n, st.k)});
  }
  const auto issue = [&] {
    for (size_t i = 0; i < plan.steps.size(); ++i) {
      const TokenStep& st = plan.steps[i];
      Operands& o = ops[i];
      if (q8) {
        ex.q8_quantize_into(o.x, o.xq, st.k, p->q8_sum);
        ex.gemv_into(p, st.weight, o.xq, o.y, st.n, st.k);
      } else {
        ex.gemv_into(p, st.weight, o.x, o.y, st.n, st.k);
      }
    }
  };
  issue();  // modules loaded, everything in place
  {
    const ProfiledRegion region(s);
    issue();
  }
  ex.synchronize();
  return out;
}

std::vector<LaunchLabel> profile_probes(Executor& ex, int device) {
  const cudaStream_t s = ex.stream();
  const DeviceInfo d = query_device(device);
  constexpr size_t kReadBytes = size_t(1) << 30;
  const DeviceBuffer<uint4> data(kReadBytes / sizeof(uint4));
  QGEMV_CUDA(cudaMemsetAsync(data.get(), 1, kReadBytes, s));
  DeviceBuffer<unsigned> sink(64);
  // Eight 256-thread CTAs per SM: 64 warps, full occupancy.
  const unsigned fma_ctas = unsigned(d.sms) * 8;
  DeviceBuffer<float> fma_out(size_t(fma_ctas) * 256);
  constexpr int kFmaIterations = 2048;
  // A random cycle over 64 MB, above any L2 qgemv targets, so each step misses.
  constexpr size_t kChaseWords = size_t(16) << 20;
  constexpr int kChaseSteps = 2000;
  std::vector<unsigned> order(kChaseWords);
  std::iota(order.begin(), order.end(), 0u);
  std::shuffle(order.begin(), order.end(), std::mt19937(1));
  std::vector<unsigned> next(kChaseWords);
  for (size_t i = 0; i < kChaseWords; ++i) next[order[i]] = order[(i + 1) % kChaseWords];
  const DeviceBuffer<unsigned> chase = upload(next, s);
  {
    const ProfiledRegion region(s);
    QGEMV_CUDA(launch_stream_read(data.get(), kReadBytes, sink.get(), s));
    QGEMV_CUDA(launch_fma_spin(fma_out.get(), fma_ctas, kFmaIterations, s));
    QGEMV_CUDA(launch_pointer_chase(chase.get(), kChaseSteps, sink.get(), s));
  }
  return {{"stream_read", 0, 0, 1, int64_t(kReadBytes)},
          {"fma_spin", 0, 0, 1, 0},
          {"pointer_chase", 0, 0, 1, 0}};
}

}  // namespace qgemv::profile
