// The benchmark machinery on a GPU: the gated timer measures known delays, kernel samples are
// per launch, the token's modes count what they allocate and launch, and graph replay writes
// what eager launches write.
// Without a CUDA device every test reports itself skipped with the reason.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <cstring>

#include "harness/bench/dependency_floor.h"
#include "harness/bench/gpu_timer.h"
#include "harness/bench/kernel_bench.h"
#include "harness/bench/read_ceiling.h"
#include "harness/bench/token_model.h"
#include "harness/executor/device_info.h"
#include "harness/executor/transfers.h"
#include "kernels/bench/bench_kernels.h"
#include "properties/support/gpu_test.h"
#include "reference/error_model.h"
#include "reference/gemv.h"

namespace qgemv {
namespace {

using BenchGpu = testing::GpuTest;

TEST_F(BenchGpu, GatedTimerMeasuresKnownDelaysInOrder) {
  GatedTimer timer;
  const uint64_t delays_ns[] = {10000, 40000, 20000};
  for (int rep = 0; rep < 3; ++rep) {
    const auto us = timer.time_steps(
        ex_->stream(), 3, [&](size_t i) { QGEMV_CUDA(launch_delay(delays_ns[i], ex_->stream())); });
    for (size_t i = 0; i < 3; ++i) {
      EXPECT_GE(us[i], delays_ns[i] * 1e-3) << "step " << i;
      EXPECT_LE(us[i], delays_ns[i] * 1e-3 + 8) << "step " << i;
    }
  }
}

// A spin of 20 us per launch in each sample's region: a batch sample must be per launch (not
// the batch's total), and a one-launch sample must hold the whole spin. The spin counts cycles
// at the peak clock, so it lasts at least 20 us per launch.
TEST_F(BenchGpu, KernelSamplesArePerLaunch) {
  int khz = 0;
  ASSERT_EQ(cudaDeviceGetAttribute(&khz, cudaDevAttrClockRate, 0), cudaSuccess);
  KernelBench kb(*ex_, {}, 50 << 20);
  for (KernelTiming t : kAllKernelTimings) {
    KernelCase c{"custom", {"gate", 512, 1024}, Path::kMwvQ8, t, nullptr, ""};
    kb.prepare(c);
    kb.set_spin(uint64_t(20e-6 * khz * 1e3) * uint64_t(kb.launches()));
    for (int i = 0; i < 3; ++i) {
      const double us = kb.sample_us();
      EXPECT_GE(us, 20.0) << c.name();
      EXPECT_LT(us, 40.0) << c.name();
    }
    kb.check_output();
  }
}

// The read row moves the weights from device memory once per launch: never faster than the
// ceiling allows (a reader that skipped bytes or hit L2 would be), in either timing.
TEST_F(BenchGpu, ReadRowReadsTheWeightsFromDeviceMemory) {
  const DeviceInfo d = query_device();
  const ReadCeiling c = measure_read_ceiling(ex_->stream(), int64_t(1) << 30, 5);
  KernelBench kb(*ex_, {}, d.l2_bytes);
  for (KernelTiming t : kAllKernelTimings) {
    KernelCase rc{"custom", {"gate", 4096, 4096}, Path::kMwvQ8, t, nullptr, "", true};
    kb.prepare(rc);
    EXPECT_GT(kb.copies() * rc.bytes(), 2 * d.l2_bytes);
    for (int i = 0; i < 3; ++i) {
      const double us = kb.sample_us();
      EXPECT_LT(double(rc.bytes()) / (us * 1e3), 1.1 * c.gbps) << rc.name() << ": " << us << " us";
    }
    kb.check_output();
  }
}

// The device memory's theoretical peak, GB/s: memory clock x 2 transfers per clock (DDR, HBM)
// x bus width (H100 SXM: 2619 MHz x 2 x 5120 bits = 3352 GB/s).
double theoretical_peak_gbps(int device) {
  int khz = 0, bits = 0;
  if (cudaDeviceGetAttribute(&khz, cudaDevAttrMemoryClockRate, device) != cudaSuccess ||
      cudaDeviceGetAttribute(&bits, cudaDevAttrGlobalMemoryBusWidth, device) != cudaSuccess)
    return 0;
  return 2.0 * khz * 1e3 * bits / 8 / 1e9;
}

// The ceiling is a measurement of the device's own memory: never above its theoretical peak
// (bytes counted twice, or a read the compiler removed, would be), and not far below it (a
// streaming read reaches 85-93% on the H100: 3090 of 3352 GB/s; half the bytes counted, or
// the timing of an idle stretch, would land below 60%).
TEST_F(BenchGpu, ReadCeilingIsBetween60PercentOfTheTheoreticalPeakAndThePeak) {
  const ReadCeiling c = measure_read_ceiling(ex_->stream(), int64_t(1) << 30, 5);
  EXPECT_LE(c.us.p10, c.us.median);
  EXPECT_LE(c.us.median, c.us.p90);
  int device = 0;
  ASSERT_EQ(cudaGetDevice(&device), cudaSuccess);
  const double peak = theoretical_peak_gbps(device);
  ASSERT_GT(peak, 0) << "no memory clock or bus width for device " << device;
  EXPECT_LE(c.gbps, peak);
  EXPECT_GE(c.gbps, 0.6 * peak);
}

// Kernels kept busy 10 us after their wait must read as 10 us each plus the dependency, not
// the chain's total nor a share of it; empty ones as the dependency alone, far below that.
TEST_F(BenchGpu, DependencyFloorIsPerKernel) {
  const unsigned sms = unsigned(query_device().sms);
  const SampleStats busy = measure_dependency_floor(*ex_, sms, 32, 5, 10000);
  EXPECT_GE(busy.median, 10.0);
  EXPECT_LT(busy.median, 15.0);
  const SampleStats empty = measure_dependency_floor(*ex_, sms, 32, 5);
  EXPECT_GT(empty.median, 0.0);
  EXPECT_LT(empty.median, 5.0);
  EXPECT_LE(empty.p10, empty.median);
  EXPECT_THROW(measure_dependency_floor(*ex_, sms, 0), std::invalid_argument);
}

const ModelPreset kSmall{"small", 512, 1024, 256, 2};  // 2 layers, 14 GEMVs

TEST_F(BenchGpu, ModesCountTheirAllocationsAndLaunches) {
  TokenModel model(*ex_, preset_token_plan(kSmall, 3), 3);
  ASSERT_EQ(model.steps().size(), 14u);
  for (Path p : {Path::kMwv, Path::kMwvQ8}) {
    const int64_t per_gemv = path_takes_q8(p) ? 2 : 1;  // Q8 paths quantize first
    // The workspace and graph forms launch q+k+v, o, gate+up and down per layer, and quantize
    // each of a layer's four inputs once.
    ASSERT_EQ(model.launches().size(), 2u * 4);
    const int64_t workspace_launches = path_takes_q8(p) ? 2 * 4 + 2 * 4 : 2 * 4;
    EXPECT_EQ(model.kernels(p), workspace_launches);
    const TokenSample alloc = model.run(p, TokenMode::kAlloc);
    EXPECT_EQ(alloc.allocations, 14 * per_gemv * 2) << path_name(p);  // malloc + free each
    EXPECT_EQ(alloc.launches, 14 * per_gemv);
    const TokenSample pool = model.run(p, TokenMode::kPool);
    EXPECT_EQ(pool.allocations, 14 * per_gemv * 2);
    const TokenSample ws = model.run(p, TokenMode::kWorkspace);
    EXPECT_EQ(ws.allocations, 0);
    EXPECT_EQ(ws.launches, workspace_launches);
    const TokenSample graph = model.run(p, TokenMode::kGraph);
    EXPECT_EQ(graph.allocations, 0);
    EXPECT_EQ(graph.launches, 1);
    for (const TokenSample& t : {alloc, pool, ws, graph}) {
      EXPECT_GT(t.wall_us, 0);
      EXPECT_GT(t.gpu_us, 0);
      EXPECT_LE(t.gpu_us, t.wall_us + 1);  // the GPU span lies inside the host's wall time
      EXPECT_NEAR(t.alloc_us + t.launch_us + t.sync_us, t.wall_us, 0.1 * t.wall_us + 5);
    }
    EXPECT_GT(model.back_to_back_us(p), 0);
  }
}

TEST_F(BenchGpu, GraphReplayWritesWhatEagerLaunchesWrite) {
  TokenModel model(*ex_, preset_token_plan(kSmall, 4), 4);
  for (Path p : {Path::kMwv, Path::kMwvQ8, Path::kQ4K}) {
    model.run(p, TokenMode::kWorkspace);
    model.check_outputs();
    std::vector<std::vector<float>> eager_out, graph_out;
    // The workspace holds each projection's last output; compare those of both modes.
    for (TokenMode m : {TokenMode::kWorkspace, TokenMode::kGraph}) {
      model.run(p, m);
      auto& out = m == TokenMode::kGraph ? graph_out : eager_out;
      for (const auto& bytes : model.output_snapshot()) out.push_back(bytes);
    }
    ASSERT_EQ(eager_out.size(), graph_out.size());
    for (size_t i = 0; i < eager_out.size(); ++i)
      EXPECT_EQ(0, std::memcmp(eager_out[i].data(), graph_out[i].data(),
                               eager_out[i].size() * sizeof(float)))
          << path_name(p) << " output " << i;
  }
}

// A stacked launch (q+k+v, gate+up) writes each part's output as the part's own reference
// computes it, within the path's error bound, in the part's place.
TEST_F(BenchGpu, StackedLaunchesComputeEveryPart) {
  const TokenPlan host = preset_token_plan(kSmall, 5);  // the same weights, for the reference
  TokenModel model(*ex_, preset_token_plan(kSmall, 5), 5);
  size_t stacked = 0;
  for (Path p : {Path::kMwvQ8, Path::kMwv, Path::kQ4K}) {
    model.run(p, TokenMode::kGraph);
    const auto outputs = model.output_snapshot();
    // The last layer's launches: the last writers of their slots.
    const auto& launches = model.launches();
    for (size_t li = launches.size() - 4; li < launches.size(); ++li) {
      const TokenLaunch& l = launches[li];
      stacked += l.steps.size() > 1;
      const std::vector<float> x = model.input_values(host.steps[l.steps.front()]);
      int64_t row = 0;
      for (size_t si : l.steps) {
        const HostWeight& hw = host.weights[si];
        Q4KMatrix w;
        w.n = hw.n;
        w.k = hw.k;
        const auto* b = static_cast<const BlockQ4K*>(hw.blocks);
        w.blocks.assign(b, b + hw.bytes() / sizeof(BlockQ4K));
        const CheckReport r =
            check_gemv(std::span(outputs[size_t(l.output)]).subspan(size_t(row), size_t(w.n)),
                       reference_for_path(p, w, std::span(x).first(size_t(w.k))), p, w.k);
        EXPECT_TRUE(r.ok()) << path_name(p) << " " << l.projection << " part " << hw.name << ": "
                            << r.summary();
        row += w.n;
      }
    }
  }
  EXPECT_EQ(stacked, 3u * 2);  // q+k+v and gate+up on each path
}

}  // namespace
}  // namespace qgemv
