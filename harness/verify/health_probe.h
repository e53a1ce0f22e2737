#pragma once
// The health probe: what a fresh process must manage on a GPU for the GPU to count as usable
// after a fault or a hang: create a context, run a trivial kernel, read back its result.
#include <string>

namespace qgemv {

// Empty when device `device` did all of that; otherwise what failed. Throws nothing.
std::string probe_gpu(int device);

}  // namespace qgemv
