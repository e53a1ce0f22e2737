#include "harness/external/driver_api.h"

#include <cuda_runtime_api.h>

namespace qgemv {
namespace {

// `version`: the CUDA version whose form of the function qgemv calls (12.0, or 12.4 for
// cuFuncGetParamInfo).
template <typename F>
void find(F& fn, const char* name, bool required, int version = 12000) {
  void* p = nullptr;
  cudaDriverEntryPointQueryResult found{};
  const cudaError_t e =
      cudaGetDriverEntryPointByVersion(name, &p, version, cudaEnableDefault, &found);
  if ((e != cudaSuccess || found != cudaDriverEntryPointSuccess) && required)
    throw ExternalKernelError(std::string("the CUDA driver has no ") + name + " (" +
                              cudaGetErrorString(e) + ")");
  fn = reinterpret_cast<F>(p);
}

}  // namespace

std::string DriverApi::describe(CUresult r) const {
  const char *name = nullptr, *text = nullptr;
  if (get_error_name) get_error_name(r, &name);
  if (get_error_string) get_error_string(r, &text);
  return std::string(name ? name : "CUDA_ERROR") + " (" + (text ? text : "unknown") + ")";
}

const DriverApi& driver_api() {
  static const DriverApi api = [] {
    DriverApi a;
    find(a.get_error_name, "cuGetErrorName", true);
    find(a.get_error_string, "cuGetErrorString", true);
    find(a.module_load_data, "cuModuleLoadData", true);
    find(a.module_get_function, "cuModuleGetFunction", true);
    find(a.module_unload, "cuModuleUnload", true);
    find(a.module_function_count, "cuModuleGetFunctionCount", false, 12040);
    find(a.module_enumerate_functions, "cuModuleEnumerateFunctions", false, 12040);
    find(a.func_get_name, "cuFuncGetName", false, 12040);
    find(a.func_get_attribute, "cuFuncGetAttribute", true);
    find(a.func_set_attribute, "cuFuncSetAttribute", true);
    find(a.func_get_param_info, "cuFuncGetParamInfo", false, 12040);
    find(a.launch_kernel_ex, "cuLaunchKernelEx", true);
    return a;
  }();
  return api;
}

}  // namespace qgemv
