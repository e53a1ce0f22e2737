// The project's GEMV as a paths library (own_paths.so): its kernel with its own host launch
// code, behind the C interface of qgemv's kernels/launch/paths_abi.h, so that the installed
// `qgemv verify|gemv|bench --paths-lib own_paths.so --path own:own_gemv` runs it like a
// built-in path. Only the four functions below are exported (qgemv_add_paths_library); the
// rest, the CUDA runtime included, stays inside.
#include <cuda_runtime_api.h>

#include "kernels/launch/paths_abi.h"
#include "own_gemv_gpu.h"

namespace {

int32_t launch(const void*, const qgemv_paths_gemv* g, void* stream) {
  own::launch_gpu_gemv(static_cast<const qgemv::BlockQ4K*>(g->weights),
                       static_cast<const float*>(g->input), g->output, int(g->n), int(g->k),
                       static_cast<cudaStream_t>(stream));
  // Taken, not peeked: this runtime's error must not resurface at the next launch.
  return int32_t(cudaGetLastError());
}

const char* kernel_name(const void*, int64_t) { return "own_gemv_kernel"; }

int32_t shape(const void*, int64_t n, int64_t, int32_t, uint32_t* grid, uint32_t* block) {
  *grid = uint32_t(n);  // one warp per output row
  *block = 32;
  return 0;
}

// own_gemv.cu counts its chain of f32 roundings per summand as k/256 + 15.
const qgemv_path_row kRows[] = {{"own_gemv", QGEMV_PATHS_INPUT_F32, QGEMV_PATHS_ARITHMETIC_F32, 16,
                                 0, launch, kernel_name, shape, nullptr}};
const qgemv_paths_table kTable{"own", "example", 1, kRows};

}  // namespace

extern "C" {

__attribute__((visibility("default"))) uint32_t qgemv_paths_abi_version(void) {
  return QGEMV_PATHS_ABI_VERSION;
}

__attribute__((visibility("default"))) const qgemv_paths_table* qgemv_paths_get_table(void) {
  return &kTable;
}

// Makes the device's primary context current for this library's runtime on the calling thread
// and initializes the runtime (its module loaded) before anything is timed.
__attribute__((visibility("default"))) int32_t qgemv_paths_prepare(int32_t device) {
  if (const cudaError_t e = cudaSetDevice(device); e != cudaSuccess) return int32_t(e);
  return int32_t(cudaFree(nullptr));
}

__attribute__((visibility("default"))) const char* qgemv_paths_error_string(int32_t code) {
  return cudaGetErrorString(static_cast<cudaError_t>(code));
}

}  // extern "C"
