// kernels/launch/paths_abi_export.cpp for a revision older than libqgemv_paths.so, which
// scripts/paths-library-at copies into that revision's kernels/launch/ to build its paths with
// the current C interface (docs/ab-gate.md). It needs of the revision only what every revision
// since PathInfo became a table row has: builtin_table(), launch_gemv, gemv_kernel_name and
// gemv_launch_shape. Two differences from the current export file: such a revision has no Q8Sum
// (every Q8_1 row reads blocks with s = the sum of x), and no build_info.cpp in the target, so
// the revision comes from QGEMV_PATHS_REVISION, which the script defines ("<hash>+abi1").
// Kept under scripts/lib/, not kernels/, so that it is outside the GPU record's source hash.
#include <cuda_runtime_api.h>

#include <deque>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/launch/gemv_path.h"
#include "kernels/launch/launch.h"
#include "kernels/launch/launch_config.h"
#include "kernels/launch/paths_abi.h"

#ifndef QGEMV_PATHS_REVISION
#error "QGEMV_PATHS_REVISION names the revision (scripts/paths-library-at defines it)"
#endif

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
  return p.input == Activation::kQ8_1 ? QGEMV_PATHS_INPUT_Q8_1 : QGEMV_PATHS_INPUT_F32;
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
  static const qgemv_paths_table t{"qgemv", QGEMV_PATHS_REVISION, rows.size(), rows.data()};
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

// As in the current export file: the primary context made current and initialized, so that
// its modules load here and not inside a timed region.
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
