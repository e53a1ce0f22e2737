#include "harness/verify/gpu_case.h"

#include <stdexcept>

#include "harness/executor/cuda_check.h"
#include "harness/executor/device_buffer.h"

namespace qgemv::testing {
namespace {

Values source_of(Weights w) {
  return w == Weights::kFromNormal    ? Values::kNormal
         : w == Weights::kFromUniform ? Values::kUniform
                                      : Values::kHeavyTailed;
}

void download(const DeviceBuffer<BlockQ4K>& d, Q4KMatrix& m, cudaStream_t stream) {
  QGEMV_CUDA(cudaGetLastError());
  QGEMV_CUDA(cudaMemcpyAsync(m.blocks.data(), d.get(), d.bytes(), cudaMemcpyDeviceToHost, stream));
  QGEMV_CUDA(cudaStreamSynchronize(stream));
}

}  // namespace

GemvData materialize_on_gpu(const GemvCase& c, cudaStream_t stream) {
  if (c.weights == Weights::kRawBlocks) return materialize(c);
  check_shape(c.n, c.k);
  Rng xrng(c.seed ^ 0xD1B54A32D192ED03ull);  // as materialize draws x
  GemvData d{Q4KMatrix{c.n, c.k, std::vector<BlockQ4K>(size_t(c.n * (c.k / kQK)))},
             random_values(xrng, size_t(c.k), c.input)};
  DeviceBuffer<BlockQ4K> blocks(d.w.blocks.size());
  detail::launch_random_q4k(blocks.get(), int64_t(d.w.blocks.size()), c.seed, source_of(c.weights),
                            stream);
  download(blocks, d.w, stream);
  return d;
}

Q4KMatrix gpu_q4k_quantize(std::span<const float> x, int64_t n, int64_t k, cudaStream_t stream) {
  check_shape(n, k);
  if (x.size() != size_t(n * k)) throw std::invalid_argument("gpu_q4k_quantize: x has wrong size");
  Q4KMatrix m{n, k, std::vector<BlockQ4K>(size_t(n * (k / kQK)))};
  DeviceBuffer<float> dx(x.size());
  QGEMV_CUDA(cudaMemcpyAsync(dx.get(), x.data(), dx.bytes(), cudaMemcpyHostToDevice, stream));
  DeviceBuffer<BlockQ4K> blocks(m.blocks.size());
  detail::launch_q4k_quantize(dx.get(), blocks.get(), int64_t(m.blocks.size()), stream);
  download(blocks, m, stream);
  return m;
}

}  // namespace qgemv::testing
