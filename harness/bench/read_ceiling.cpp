#include "harness/bench/read_ceiling.h"

#include "harness/bench/gpu_timer.h"
#include "harness/executor/cuda_check.h"
#include "kernels/bench/bench_kernels.h"

namespace qgemv {

ReadCeiling measure_read_ceiling(cudaStream_t stream, int64_t bytes, int repetitions) {
  bytes -= bytes % 16;
  DeviceBuffer<unsigned char> data{size_t(bytes)};
  DeviceBuffer<unsigned> sink(1);
  // Never time a read of zeros.
  QGEMV_CUDA(cudaMemsetAsync(data.get(), 0x5A, data.bytes(), stream));
  GatedTimer timer;
  std::vector<double> samples;
  for (int i = -2; i < repetitions; ++i) {
    const auto us = timer.time_steps(stream, 1, [&](size_t) {
      QGEMV_CUDA_CTX(launch_stream_read(data.get(), data.bytes(), sink.get(), stream),
                     "kernel stream_read_kernel");
    });
    if (i >= 0) samples.push_back(us[0]);
  }
  ReadCeiling c;
  c.bytes = bytes;
  c.us = sample_stats(samples);
  c.gbps = double(bytes) / (c.us.median * 1e3);
  return c;
}

}  // namespace qgemv
