#pragma once
// When a kernel may be launched to overlap its predecessor: only if its code, as the driver
// loaded it, was compiled from sm_90 PTX or later (cudaFuncAttributes' ptxVersion and
// binaryVersion, 10 * major + minor), the first architecture where griddepcontrol.wait exists.
namespace qgemv {

bool dependent_wait_compiled(int ptx_version, int binary_version);

// Whether `kernel` (a __global__ function's address) as loaded has the wait. A build for older
// architectures only, run on an H100, JIT-compiles PTX in which wait_for_previous_grid() is
// compiled out; overlapping its launches would race. Asked once per kernel.
bool compiled_with_dependent_wait(const void* kernel);

}  // namespace qgemv
