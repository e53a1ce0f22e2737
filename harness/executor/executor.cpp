#include "harness/executor/executor.h"

#include "kernels/launch/launch.h"
#include "kernels/launch/launch_config.h"

namespace qgemv {
namespace {

std::string shape(Path p, int64_t n, int64_t k) {
  return std::string(path_name(p)) + " n=" + std::to_string(n) + " k=" + std::to_string(k);
}

[[noreturn]] void reject(Path p, int64_t n, int64_t k, const std::string& why) {
  throw ExecutorError(shape(p, n, k) + ": " + why);
}

}  // namespace

Executor::Executor(int device) : device_(device) {
  int count = 0;
  QGEMV_CUDA(cudaGetDeviceCount(&count));
  if (device < 0 || device >= count)
    throw ExecutorError("CUDA device " + std::to_string(device) + " does not exist (" +
                        std::to_string(count) + " present)");
  QGEMV_CUDA(cudaSetDevice(device));
  QGEMV_CUDA(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
  status_ = DeviceBuffer<unsigned>(1, WithGuards{stream_});
  QGEMV_CUDA(cudaMemsetAsync(status_.get(), 0, sizeof(unsigned), stream_));
}

Executor::~Executor() {
  if (stream_) {
    (void)cudaStreamSynchronize(stream_);
    (void)cudaStreamDestroy(stream_);
  }
}

void Executor::set_alloc_mode(AllocMode m) {
  if (m == AllocMode::kStreamOrdered) {
    cudaMemPool_t pool = nullptr;
    QGEMV_CUDA(cudaDeviceGetDefaultMemPool(&pool, device_));
    uint64_t keep = UINT64_MAX;
    QGEMV_CUDA(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep));
  }
  alloc_mode_ = m;
}

template <typename T>
DeviceBuffer<T> Executor::allocate(size_t count, const char* what) {
  if (recording_)
    throw ExecutorError(std::string(what) +
                        " allocates its output, which a graph being recorded cannot hold; use "
                        "the *_into form with a workspace buffer");
  DeviceBuffer<T> b = guard_allocations_ ? DeviceBuffer<T>(count, WithGuards{stream_})
                      : alloc_mode_ == AllocMode::kStreamOrdered
                          ? DeviceBuffer<T>::stream_ordered(count, stream_)
                          : DeviceBuffer<T>(count);
  if (poison_allocations_) QGEMV_CUDA(cudaMemsetAsync(b.get(), 0xFF, b.bytes(), stream_));
  return b;
}

void Executor::launch(Path p, const std::string& weight, const void* input, size_t input_values,
                      float* y, size_t y_size, int64_t n, int64_t k, int opb) {
  if (n <= 0) reject(p, n, k, "n must be positive");
  if (k <= 0 || k % kQK != 0) reject(p, n, k, "k must be a positive multiple of 256");
  if (p->takes_outputs_per_block && !valid_outputs_per_block(opb))
    reject(p, n, k, "outputs_per_block must be 1, 2, 4 or 8, got " + std::to_string(opb));
  const WeightView w = weights_.lookup(weight);
  if (w.n != n || w.k != k)
    reject(p, n, k,
           "weight '" + weight + "' is " + std::to_string(w.n) + " x " + std::to_string(w.k) +
               " (" + std::to_string(w.n * (w.k / kQK) * 144) + " bytes), not n x k");
  if (input_values < size_t(k))
    reject(p, n, k,
           "input holds " + std::to_string(input_values) + " values, k is " + std::to_string(k));
  if (y_size < size_t(n))
    reject(p, n, k,
           "output buffer holds " + std::to_string(y_size) + " floats, n is " + std::to_string(n));
  const GemvLaunch g{p, w.blocks, input, y, n, k, opb, status_.get()};
  QGEMV_CUDA_CTX(launch_gemv(g, stream_),
                 std::string("kernel ") + gemv_kernel_name(p, k) + ", " + shape(p, n, k));
  ++launches_;
}

DeviceBuffer<float> Executor::gemv_async(Path p, const std::string& weight,
                                         const DeviceBuffer<float>& x, int64_t n, int64_t k,
                                         int outputs_per_block) {
  if (path_takes_q8(p)) reject(p, n, k, "this path reads Q8_1 input; quantize it first");
  if (n <= 0) reject(p, n, k, "n must be positive");
  DeviceBuffer<float> y = allocate<float>(size_t(n), "gemv_async");
  gemv_into(p, weight, x, y, n, k, outputs_per_block);
  return y;
}

DeviceBuffer<float> Executor::gemv_async(Path p, const std::string& weight,
                                         const DeviceBuffer<BlockQ8_1>& xq, int64_t n, int64_t k) {
  if (!path_takes_q8(p)) reject(p, n, k, "this path reads f32 input, not Q8_1");
  if (n <= 0) reject(p, n, k, "n must be positive");
  DeviceBuffer<float> y = allocate<float>(size_t(n), "gemv_async");
  gemv_into(p, weight, xq, y, n, k);
  return y;
}

void Executor::gemv_into(Path p, const std::string& weight, const DeviceBuffer<float>& x,
                         DeviceBuffer<float>& y, int64_t n, int64_t k, int outputs_per_block) {
  if (path_takes_q8(p)) reject(p, n, k, "this path reads Q8_1 input; quantize it first");
  launch(p, weight, x.get(), x.size(), y.get(), y.size(), n, k, outputs_per_block);
}

void Executor::gemv_into(Path p, const std::string& weight, const DeviceBuffer<BlockQ8_1>& xq,
                         DeviceBuffer<float>& y, int64_t n, int64_t k) {
  if (!path_takes_q8(p)) reject(p, n, k, "this path reads f32 input, not Q8_1");
  launch(p, weight, xq.get(), xq.size() * kQ8Values, y.get(), y.size(), n, k, 0);
}

DeviceBuffer<BlockQ8_1> Executor::q8_quantize_async(const DeviceBuffer<float>& x, int64_t values,
                                                    Q8Sum sum) {
  if (values <= 0) throw ExecutorError("q8_quantize: values must be positive");
  DeviceBuffer<BlockQ8_1> out =
      allocate<BlockQ8_1>(size_t((values + kQ8Values - 1) / kQ8Values), "q8_quantize_async");
  q8_quantize_into(x, out, values, sum);
  return out;
}

void Executor::q8_quantize_into(const DeviceBuffer<float>& x, DeviceBuffer<BlockQ8_1>& out,
                                int64_t values, Q8Sum sum) {
  const std::string what = "q8_quantize values=" + std::to_string(values);
  if (values <= 0) throw ExecutorError(what + ": values must be positive");
  if (x.size() < size_t(values)) throw ExecutorError(what + ": input buffer too small");
  if (out.size() * kQ8Values < size_t(values))
    throw ExecutorError(what + ": output buffer holds " + std::to_string(out.size()) +
                        " Q8_1 blocks, needs " + std::to_string((values + 31) / 32));
  QGEMV_CUDA_CTX(launch_q8_quantize(x.get(), out.get(), values, status_.get(), stream_, sum),
                 "kernel q8_quantize_kernel, " + what);
  ++launches_;
}

void Executor::begin_recording() {
  if (recording_) throw ExecutorError("already recording a graph");
  QGEMV_CUDA(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal));
  recording_ = true;
}

CudaGraph Executor::end_recording() {
  if (!recording_) throw ExecutorError("end_recording without begin_recording");
  recording_ = false;
  cudaGraph_t g = nullptr;
  QGEMV_CUDA(cudaStreamEndCapture(stream_, &g));
  cudaGraphExec_t e = nullptr;
  const cudaError_t err = cudaGraphInstantiate(&e, g, 0);
  if (err != cudaSuccess) {
    (void)cudaGraphDestroy(g);
    QGEMV_CUDA_CTX(err, "graph instantiate");
  }
  return CudaGraph(g, e);
}

CudaGraph Executor::record(const std::function<void()>& issue) {
  begin_recording();
  try {
    issue();
  } catch (...) {
    (void)end_recording();
    throw;
  }
  return end_recording();
}

void Executor::synchronize() {
  QGEMV_CUDA(cudaStreamSynchronize(stream_));
  unsigned status = 0;
  QGEMV_CUDA(cudaMemcpy(&status, status_.get(), sizeof status, cudaMemcpyDeviceToHost));
  if (status == 0) return;
  QGEMV_CUDA(cudaMemset(status_.get(), 0, sizeof(unsigned)));
  throw Q8OverflowError(
      "an input overflows Q8_1: amax/127 or a 32-value sum does not fit fp16 (|v| >= 65520); "
      "outputs of the launches since the last synchronize are not valid");
}

}  // namespace qgemv
