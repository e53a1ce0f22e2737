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
// names the kernel as C++ does (my_kernel, ns::kernel<int>). `options` (-D and -I) come after the
// file's folder and before the toolkit's headers (toolkit_include_dirs). Throws
// ExternalKernelError with NVRTC's log on a compile error.
CompiledKernel nvrtc_compile(const std::string& file, const std::string& source,
                             const std::string& entry, int arch,
                             const std::vector<std::string>& options = {});

// Where the toolkit's headers (cuda_fp16.h, ...) are looked for, in order: $CUDA_HOME/include,
// $CUDA_PATH/include, the include folder of the toolkit NVRTC was loaded from (empty if NVRTC
// is not found), /usr/local/cuda/include.
std::vector<std::string> toolkit_include_candidates();

// The first candidate that holds cuda_fp16.h, and its cccl folder (<nv/target>, which
// cuda_fp16.h includes, lives there from CUDA 13); empty if none does. NVRTC does not look in
// the toolkit by itself: without these a kernel that includes cuda_fp16.h does not compile.
std::vector<std::string> toolkit_include_dirs();

}  // namespace qgemv
