#pragma once
// CUDA C++ source to a cubin with NVRTC, which the toolkit ships. NVRTC is opened at run time
// (libnvrtc.so.13 from the loader's path or /usr/local/cuda/lib64), so qgemv needs it only when
// it compiles a .cu file.
#include <string>
#include <vector>

namespace qgemv {

struct CompiledKernel {
  std::vector<char> cubin;
  std::string lowered_entry;  // the entry's name in the cubin (mangled unless extern "C")
  std::string log;            // NVRTC's warnings, if any
};

// Compiles `source` (from `file`, whose folder is on the include path) for sm_<arch>; `entry`
// names the kernel as C++ does (my_kernel, ns::kernel<int>). Throws ExternalKernelError with
// NVRTC's log on a compile error.
CompiledKernel nvrtc_compile(const std::string& file, const std::string& source,
                             const std::string& entry, int arch);

}  // namespace qgemv
