#pragma once
// The CUDA driver API functions qgemv needs to load modules, found through the runtime
// (cudaGetDriverEntryPoint), so that nothing links libcuda: qgemv still starts, and says there
// is no device, on machines without a driver.
#include <cuda.h>

#include <stdexcept>
#include <string>

namespace qgemv {

struct ExternalKernelError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct DriverApi {
  decltype(&cuModuleLoadData) module_load_data = nullptr;
  decltype(&cuModuleGetFunction) module_get_function = nullptr;
  decltype(&cuModuleUnload) module_unload = nullptr;
  // Null before driver 12.4: entries are then found by their exact name only.
  decltype(&cuModuleGetFunctionCount) module_function_count = nullptr;
  decltype(&cuModuleEnumerateFunctions) module_enumerate_functions = nullptr;
  decltype(&cuFuncGetName) func_get_name = nullptr;
  decltype(&cuFuncGetAttribute) func_get_attribute = nullptr;
  decltype(&cuFuncSetAttribute) func_set_attribute = nullptr;
  decltype(&cuFuncGetParamInfo) func_get_param_info = nullptr;  // null before driver 12.4
  decltype(&cuLaunchKernelEx) launch_kernel_ex = nullptr;
  decltype(&cuGetErrorName) get_error_name = nullptr;
  decltype(&cuGetErrorString) get_error_string = nullptr;

  std::string describe(CUresult r) const;
};

// Loaded once; throws ExternalKernelError when the runtime cannot reach the driver.
const DriverApi& driver_api();

}  // namespace qgemv
