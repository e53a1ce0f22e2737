#pragma once
// The deliberately broken kernels of broken_kernels.cu, registered as paths named broken_*.
#include <string>
#include <vector>

#include "kernels/launch/gemv_path.h"

namespace qgemv::testing {

struct BrokenPath {
  Path path;
  std::string expected;  // what its failure message must say ("" for any failure)
};

const std::vector<BrokenPath>& broken_paths();

// The same kernel without a bug: a path added from a test file, as docs/ADDING_A_PATH.md adds
// one, which must run through verify and bench like a built-in one.
Path healthy_test_path();

}  // namespace qgemv::testing
