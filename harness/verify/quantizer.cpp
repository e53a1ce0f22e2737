#include "harness/verify/quantizer.h"

#include <optional>

#include "harness/external/external_quantizer.h"
#include "kernels/launch/launch.h"

namespace qgemv {
namespace {

class BuiltinQuantizer final : public Quantizer {
 public:
  std::string spec() const override { return ""; }
  void quantize_into(Executor& ex, const DeviceBuffer<float>& x, DeviceBuffer<BlockQ8_1>& out,
                     int64_t values, Q8Sum sum) const override {
    ex.q8_quantize_into(x, out, values, sum);
  }
  DeviceBuffer<BlockQ8_1> quantize_async(Executor& ex, const DeviceBuffer<float>& x, int64_t values,
                                         Q8Sum sum) const override {
    return ex.q8_quantize_async(x, values, sum);
  }
  void synchronize(Executor& ex) const override { ex.synchronize(); }
  std::string damaged_guards(cudaStream_t) const override { return ""; }
};

// Its overflow flag is a status word of its own: the executor's is private to the executor.
class OutsideQuantizer final : public Quantizer {
 public:
  OutsideQuantizer(const std::string& spec, std::optional<ExternalQuantizer> loaded)
      : spec_(spec), loaded_(std::move(loaded)) {
    if (!loaded_) return;
    status_ = DeviceBuffer<unsigned>(1, WithGuards{nullptr});
    QGEMV_CUDA(cudaMemset(status_.get(), 0, sizeof(unsigned)));
    QGEMV_CUDA(cudaDeviceSynchronize());  // the guards were filled on the legacy stream
  }
  std::string spec() const override { return spec_; }

  // The executor's checks of q8_quantize_into, which the launch itself cannot make.
  void quantize_into(Executor& ex, const DeviceBuffer<float>& x, DeviceBuffer<BlockQ8_1>& out,
                     int64_t values, Q8Sum sum) const override {
    const std::string what = spec_ + " values=" + std::to_string(values);
    if (!loaded_)
      throw std::logic_error(what + ": declared only (a supervisor's); its workers load it");
    if (values <= 0) throw ExecutorError(what + ": values must be positive");
    if (x.size() < size_t(values)) throw ExecutorError(what + ": input buffer too small");
    if (out.size() * kQ8Values < size_t(values))
      throw ExecutorError(what + ": output buffer holds " + std::to_string(out.size()) +
                          " Q8_1 blocks, needs " + std::to_string((values + 31) / 32));
    loaded_->launch(x.get(), out.get(), values, status_.get(), sum, ex.stream());
  }

  // Always guarded and poisoned, as verification asks the executor to allocate its outputs.
  DeviceBuffer<BlockQ8_1> quantize_async(Executor& ex, const DeviceBuffer<float>& x, int64_t values,
                                         Q8Sum sum) const override {
    if (values <= 0) throw ExecutorError(spec_ + ": values must be positive");
    if (ex.recording())
      throw ExecutorError(spec_ + ": the async form allocates, which a graph cannot hold");
    DeviceBuffer<BlockQ8_1> out(size_t((values + kQ8Values - 1) / kQ8Values),
                                WithGuards{ex.stream()});
    QGEMV_CUDA(cudaMemsetAsync(out.get(), 0xFF, out.bytes(), ex.stream()));
    quantize_into(ex, x, out, values, sum);
    return out;
  }

  // The stream first, so that the executor's own error (a fault, its overflow) comes first
  // and this word is read and cleared either way.
  void synchronize(Executor& ex) const override {
    QGEMV_CUDA(cudaStreamSynchronize(ex.stream()));
    unsigned status = 0;
    if (loaded_) {
      QGEMV_CUDA(cudaMemcpy(&status, status_.get(), sizeof status, cudaMemcpyDeviceToHost));
      if (status != 0) QGEMV_CUDA(cudaMemset(status_.get(), 0, sizeof(unsigned)));
    }
    ex.synchronize();
    if (status & kStatusQ8Overflow)
      throw Q8OverflowError(spec_ +
                            ": an input overflows Q8_1: amax/127 or a 32-value sum does not fit "
                            "fp16 (|v| >= 65520); outputs since the last synchronize are not "
                            "valid");
  }

  std::string damaged_guards(cudaStream_t stream) const override {
    return loaded_ ? status_.damaged_guards(spec_ + "'s status word", stream) : "";
  }

 private:
  std::string spec_;
  std::optional<ExternalQuantizer> loaded_;
  DeviceBuffer<unsigned> status_;
};

}  // namespace

const Quantizer& builtin_quantizer() {
  static const BuiltinQuantizer q;
  return q;
}

std::shared_ptr<const Quantizer> load_quantizer(const std::string& spec, int device) {
  return std::make_shared<OutsideQuantizer>(spec, ExternalQuantizer(spec, device));
}

std::shared_ptr<const Quantizer> declare_quantizer(const std::string& spec) {
  ExternalQuantizer::check_arg(spec);
  return std::make_shared<OutsideQuantizer>(spec, std::nullopt);
}

}  // namespace qgemv
