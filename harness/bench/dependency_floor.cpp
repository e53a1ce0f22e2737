#include "harness/bench/dependency_floor.h"

#include <stdexcept>
#include <vector>

#include "harness/bench/gpu_timer.h"
#include "harness/executor/cuda_check.h"
#include "kernels/bench/bench_kernels.h"

namespace qgemv {

SampleStats measure_dependency_floor(Executor& ex, unsigned ctas, int kernels, int repetitions,
                                     uint64_t busy_ns) {
  if (ctas < 1 || kernels < 1 || repetitions < 1)
    throw std::invalid_argument("dependency floor: ctas, kernels and repetitions must be positive");
  DeviceBuffer<unsigned> marks(ctas);
  const cudaStream_t s = ex.stream();
  QGEMV_CUDA(cudaMemsetAsync(marks.get(), 0, marks.bytes(), s));
  const CudaGraph chain = ex.record([&] {
    for (int i = 0; i < kernels; ++i)
      QGEMV_CUDA_CTX(launch_dependent_step(ctas, marks.get(), busy_ns, s),
                     "kernel dependent_step_kernel");
  });
  GatedTimer timer;
  std::vector<double> samples;
  for (int i = -2; i < repetitions; ++i) {  // two warm-ups; the first uploads the graph
    const double us = timer.time_steps(s, 1, [&](size_t) { chain.replay(s); })[0];
    if (i >= 0) samples.push_back(us / kernels);
  }
  // Every kernel of every replay ran on every CTA: a chain that skipped kernels would read fast.
  std::vector<unsigned> host(ctas);
  QGEMV_CUDA(cudaMemcpyAsync(host.data(), marks.get(), marks.bytes(), cudaMemcpyDeviceToHost, s));
  QGEMV_CUDA(cudaStreamSynchronize(s));
  for (unsigned m : host)
    if (m != unsigned(kernels * (repetitions + 2)))
      throw std::runtime_error("dependency floor: a chain kernel did not run on every CTA");
  return sample_stats(samples);
}

}  // namespace qgemv
