#include "harness/external/external_quantizer.h"

#include <cstring>
#include <vector>

#include "kernels/launch/launch_config.h"

namespace qgemv {
namespace {

// q8_quantize_kernel's parameters, in order.
const std::vector<size_t> kParamSizes = {sizeof(const float*), sizeof(BlockQ8_1*), sizeof(int64_t),
                                         sizeof(unsigned*), sizeof(Q8Sum)};
const std::vector<std::string> kParamNames = {"x", "out", "values", "status", "convention"};

}  // namespace

EntryArg ExternalQuantizer::check_arg(const std::string& spec) {
  return parse_entry_arg("--quantizer", spec);
}

ExternalQuantizer::ExternalQuantizer(const std::string& spec, int device) : spec_(spec) {
  entry_ = load_entry(check_arg(spec), device, {}, kParamSizes, kParamNames);
  const unsigned threads = q8_quantize_launch_shape(1).block;
  if (int(threads) > entry_.max_threads) {
    driver_api().module_unload(entry_.module);
    throw ExternalKernelError(spec + ": q8_quantize launches " + std::to_string(threads) +
                              " threads per CTA, but the entry allows at most " +
                              std::to_string(entry_.max_threads));
  }
  overlap_ = entry_.ptx >= 90 && entry_.binary >= 90;
  offsets_ = param_offsets(kParamSizes, &params_bytes_);
}

void ExternalQuantizer::launch(const float* x, BlockQ8_1* out, int64_t values, unsigned* status,
                               Q8Sum convention, CUstream stream) const {
  std::vector<char> params(params_bytes_, 0);
  const void* from[] = {&x, &out, &values, &status, &convention};
  for (size_t i = 0; i < offsets_.size(); ++i)
    std::memcpy(params.data() + offsets_[i], from[i], kParamSizes[i]);
  const LaunchShape s = q8_quantize_launch_shape(values);
  launch_entry(entry_, spec_ + " (values=" + std::to_string(values) + ")", s.grid, s.block, 0,
               overlap_, params, stream);
}

}  // namespace qgemv
