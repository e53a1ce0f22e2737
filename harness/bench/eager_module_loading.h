#pragma once
// With lazy module loading (CUDA's default), the first launch of a kernel loads its module and
// can wait for the device, which deadlocks against a gate that holds the stream until the
// host has queued the timed region. Benchmarks load every module up front instead; this must
// run before the first CUDA call of the process.
#include <cstdlib>

namespace qgemv {

inline void require_eager_module_loading() { ::setenv("CUDA_MODULE_LOADING", "EAGER", 1); }

}  // namespace qgemv
