// The read variants of experiments/read_inflight on a GPU: each reads every byte of its buffer
// once (its fold of the bytes is the CPU's fold of the same bytes), alone, over several passes
// of a small grid, and back to back with its launches overlapping; the timed form writes
// nothing. Without a CUDA device every test reports itself skipped with the reason.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "experiments/read_inflight/read_config.h"
#include "experiments/read_inflight/read_kernels.h"
#include "harness/executor/cuda_check.h"
#include "harness/executor/transfers.h"
#include "properties/support/gpu_test.h"

namespace qgemv::experiment {
namespace {

using ReadInflightGpu = testing::GpuTest;

// Every config whose ring the device lets a CTA have (all of them on the H100 and H200, 227 KB;
// sm_89 parts allow 99 KB, less than the 8-stage ring of 1024 lanes).
std::vector<ReadConfig> all_configs() {
  int device = 0, optin = 0;
  QGEMV_CUDA(cudaGetDevice(&device));
  QGEMV_CUDA(cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, device));
  std::vector<ReadConfig> out;
  for (const ReadConfig& c :
       read_configs({std::begin(kAllReadVariants), std::end(kAllReadVariants)}, {1, 2, 4, 8},
                    {32, 128, 256, 1024}))
    if (read_ring_bytes(c) <= size_t(optin)) out.push_back(c);
  return out;
}

std::vector<unsigned char> random_bytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<unsigned char> out(n);
  for (unsigned char& b : out) b = static_cast<unsigned char>(rng());
  return out;
}

// The XOR of every 32-bit word, as the kernels fold what they read.
unsigned cpu_fold(const unsigned char* p, size_t bytes) {
  unsigned fold = 0;
  for (size_t i = 0; i < bytes; i += 4) {
    unsigned w;
    std::memcpy(&w, p + i, 4);
    fold ^= w;
  }
  return fold;
}

unsigned read_sink(const DeviceBuffer<unsigned>& sink, cudaStream_t s) {
  unsigned v = 0;
  QGEMV_CUDA(cudaMemcpyAsync(&v, sink.get(), sizeof v, cudaMemcpyDeviceToHost, s));
  QGEMV_CUDA(cudaStreamSynchronize(s));
  return v;
}

// The checked fold of one launch of `c` over `bytes` at `data`, its grid capped at
// `resident_ctas` (0: the device's own).
unsigned device_fold(const ReadConfig& c, const unsigned char* data, int64_t bytes,
                     int64_t resident_ctas, DeviceBuffer<unsigned>& sink, cudaStream_t s) {
  const int64_t resident = resident_ctas > 0 ? resident_ctas : read_residency(c).resident_ctas();
  const ReadLaunch l = read_launch(c, bytes, resident);
  QGEMV_CUDA(cudaMemsetAsync(sink.get(), 0, sizeof(unsigned), s));
  QGEMV_CUDA_CTX(launch_read(c, l, data, sink.get(), s, ReadFold::kChecked), c.name());
  return read_sink(sink, s);
}

TEST_F(ReadInflightGpu, EveryConfigFitsOnAnSm) {
  for (const ReadConfig& c : all_configs()) {
    const ReadResidency r = read_residency(c);
    EXPECT_GT(r.sms, 0);
    EXPECT_GE(r.ctas_per_sm, 1) << c.name();
  }
}

// One word, a tile and a word, a MiB and a Q4_K row's tail, and the 1.5b gate's 7.7 MB; on
// the device's resident grid and on 3 CTAs (many passes through each ring).
TEST_F(ReadInflightGpu, EveryVariantFoldsEveryByteOnce) {
  const cudaStream_t s = ex_->stream();
  const std::vector<int64_t> sizes{16, 4096 + 16, (int64_t(1) << 20) + 144, 8960 * 6 * 144};
  const std::vector<unsigned char> host = random_bytes(size_t(sizes.back()), 7);
  const DeviceBuffer<unsigned char> data = upload(host, s);
  DeviceBuffer<unsigned> sink(1);
  for (int64_t bytes : sizes) {
    const unsigned want = cpu_fold(host.data(), size_t(bytes));
    for (const ReadConfig& c : all_configs())
      for (int64_t resident : {int64_t(0), int64_t(3)})
        EXPECT_EQ(device_fold(c, data.get(), bytes, resident, sink, s), want)
            << c.name() << ", " << bytes << " bytes, resident CTAs "
            << (resident ? std::to_string(resident) : "of the device");
  }
}

// 16 launches back to back, each allowed to start while the one before runs, each on the next
// of four buffers with a sink of its own: every fold is its own buffer's.
TEST_F(ReadInflightGpu, BackToBackLaunchesEachFoldTheirOwnBuffer) {
  const cudaStream_t s = ex_->stream();
  constexpr int kBuffers = 4, kLaunches = 16;
  const int64_t bytes = int64_t(3584) * 14 * 144;  // the 7b q: 7.2 MB
  std::vector<std::vector<unsigned char>> host;
  std::vector<DeviceBuffer<unsigned char>> data;
  for (int b = 0; b < kBuffers; ++b) {
    host.push_back(random_bytes(size_t(bytes), 100 + b));
    data.push_back(upload(host.back(), s));
  }
  DeviceBuffer<unsigned> sinks(kLaunches);
  for (const ReadConfig& c : all_configs()) {
    const ReadLaunch l = read_launch(c, bytes, read_residency(c).resident_ctas());
    QGEMV_CUDA(cudaMemsetAsync(sinks.get(), 0, sinks.bytes(), s));
    for (int i = 0; i < kLaunches; ++i)
      QGEMV_CUDA_CTX(
          launch_read(c, l, data[i % kBuffers].get(), sinks.get() + i, s, ReadFold::kChecked),
          c.name());
    std::vector<unsigned> got(kLaunches);
    QGEMV_CUDA(cudaMemcpyAsync(got.data(), sinks.get(), sinks.bytes(), cudaMemcpyDeviceToHost, s));
    QGEMV_CUDA(cudaStreamSynchronize(s));
    for (int i = 0; i < kLaunches; ++i)
      EXPECT_EQ(got[i], cpu_fold(host[i % kBuffers].data(), size_t(bytes)))
          << c.name() << ", launch " << i;
  }
}

// The timed form, as the sweep launches it, runs clean and leaves the sink alone: it writes
// only on a fold it practically never meets.
TEST_F(ReadInflightGpu, TimedLaunchesWriteNothing) {
  const cudaStream_t s = ex_->stream();
  const int64_t bytes = (int64_t(1) << 20) + 144;
  const std::vector<unsigned char> host = random_bytes(size_t(bytes), 11);
  ASSERT_NE(cpu_fold(host.data(), host.size()), 0x9E3779B9u);
  const DeviceBuffer<unsigned char> data = upload(host, s);
  DeviceBuffer<unsigned> sink(1);
  QGEMV_CUDA(cudaMemsetAsync(sink.get(), 0xAB, sizeof(unsigned), s));
  for (const ReadConfig& c : all_configs()) {
    const ReadLaunch l = read_launch(c, bytes, read_residency(c).resident_ctas());
    QGEMV_CUDA_CTX(launch_read(c, l, data.get(), sink.get(), s), c.name());
  }
  EXPECT_EQ(read_sink(sink, s), 0xABABABABu);
}

}  // namespace
}  // namespace qgemv::experiment
