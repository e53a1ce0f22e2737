// This build's paths behind the C interface of kernels/launch/paths_abi.h: the rows of
// builtin_table(), in order, each launched through launch_gemv as the executable launches it.
// Compiled only into libqgemv_paths.so, whose link hides everything but the four functions
// below (harness/CMakeLists.txt), so that two builds' copies of qgemv's C++ names never meet.
// Needs nothing of a revision but builtin_table() and launch_gemv, so it also builds against
// older revisions' kernels for an A/B comparison with them.
#include <cuda_runtime_api.h>

#include <deque>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/cli/build_info.h"
#include "kernels/launch/gemv_path.h"
#include "kernels/launch/launch.h"
#include "kernels/launch/launch_config.h"
#include "kernels/launch/paths_abi.h"

namespace qgemv {
namespace {

const PathInfo& info_of(const void* context) { return *static_cast<const PathInfo*>(context); }

// Nothing may unwind into the caller's C frames: an exception becomes an error code.
template <typename Body>
int32_t guarded(Body&& body) {
  try {
    return int32_t(body());
  } catch (const std::invalid_argument&) {
    return int32_t(cudaErrorInvalidValue);
  } catch (...) {
    return int32_t(cudaErrorUnknown);
  }
}

int32_t launch_row(const void* context, const qgemv_paths_gemv* a, void* stream) {
  return guarded([&] {
    const GemvLaunch g{Path(info_of(context)),
                       static_cast<const BlockQ4K*>(a->weights),
                       a->input,
                       a->output,
                       a->n,
                       a->k,
                       a->outputs_per_block,
                       a->status};
    return launch_gemv(g, static_cast<cudaStream_t>(stream));
  });
}

const char* kernel_name_of_row(const void* context, int64_t k) {
  try {
    return gemv_kernel_name(Path(info_of(context)), k);
  } catch (...) {
    return "?";
  }
}

int32_t shape_of_row(const void* context, int64_t n, int64_t k, int32_t opb, uint32_t* grid,
                     uint32_t* block) {
  return guarded([&] {
    const LaunchShape s = gemv_launch_shape(Path(info_of(context)), n, k, opb);
    *grid = s.grid;
    *block = s.block;
    return cudaSuccess;
  });
}

int32_t input_of(const PathInfo& p) {
  if (p.input != Activation::kQ8_1) return QGEMV_PATHS_INPUT_F32;
  return p.q8_sum == Q8Sum::kScaledSumOfQ ? QGEMV_PATHS_INPUT_Q8_1_SCALED_SUM
                                          : QGEMV_PATHS_INPUT_Q8_1;
}

int32_t arithmetic_of(const PathInfo& p) {
  switch (p.arithmetic) {
    case Arithmetic::kF32:
      return QGEMV_PATHS_ARITHMETIC_F32;
    case Arithmetic::kQ8_1:
      return QGEMV_PATHS_ARITHMETIC_Q8_1;
    case Arithmetic::kQ8_1InKernel:
      return QGEMV_PATHS_ARITHMETIC_Q8_1_IN_KERNEL;
  }
  throw std::logic_error("not an arithmetic");
}

const qgemv_paths_table& table() {
  // Names as C strings of their own: a row's string_view need not end in a NUL.
  static std::deque<std::string> names;
  static const std::vector<qgemv_path_row> rows = [] {
    std::vector<qgemv_path_row> out;
    for (const PathInfo* p : builtin_table())
      out.push_back({names.emplace_back(p->name).c_str(), input_of(*p), arithmetic_of(*p),
                     p->rounding_extra, p->takes_outputs_per_block ? 1 : 0, launch_row,
                     kernel_name_of_row, shape_of_row, p});
    return out;
  }();
  static const qgemv_paths_table t{"qgemv", kGitRevision, rows.size(), rows.data()};
  return t;
}

}  // namespace
}  // namespace qgemv

extern "C" {

__attribute__((visibility("default"))) uint32_t qgemv_paths_abi_version(void) {
  return QGEMV_PATHS_ABI_VERSION;
}

__attribute__((visibility("default"))) const qgemv_paths_table* qgemv_paths_get_table(void) {
  try {
    return &qgemv::table();
  } catch (...) {
    return nullptr;
  }
}

// cudaSetDevice makes the device's primary context current for this library's runtime on the
// calling thread and initializes it, which loads its modules (eagerly under
// CUDA_MODULE_LOADING=EAGER, as qgemv bench sets), so no module loads inside a timed region.
__attribute__((visibility("default"))) int32_t qgemv_paths_prepare(int32_t device) {
  return qgemv::guarded([&] {
    if (const cudaError_t e = cudaSetDevice(device); e != cudaSuccess) return e;
    return cudaFree(nullptr);
  });
}

__attribute__((visibility("default"))) const char* qgemv_paths_error_string(int32_t code) {
  return cudaGetErrorString(static_cast<cudaError_t>(code));
}

}  // extern "C"
