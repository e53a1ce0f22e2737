// A GPU test runs on the GPU CTest's resource allocation names, and leaves the devices alone
// without one (no spec, or the placeholder of a machine without a GPU).
#include "properties/support/ctest_gpu.h"

#include <gtest/gtest.h>

namespace qgemv::testing {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "(unset)";
}

TEST(CtestGpu, PicksTheAllocatedGpuOrNone) {
  ::unsetenv("CUDA_VISIBLE_DEVICES");
  ::unsetenv("CTEST_RESOURCE_GROUP_COUNT");
  use_ctest_gpu();
  EXPECT_EQ(env("CUDA_VISIBLE_DEVICES"), "(unset)");
  ::setenv("CTEST_RESOURCE_GROUP_COUNT", "1", 1);
  ::setenv("CTEST_RESOURCE_GROUP_0", "gpus", 1);
  ::setenv("CTEST_RESOURCE_GROUP_0_GPUS", "id:none,slots:1", 1);
  use_ctest_gpu();
  EXPECT_EQ(env("CUDA_VISIBLE_DEVICES"), "(unset)");
  ::setenv("CTEST_RESOURCE_GROUP_0_GPUS", "id:3,slots:1", 1);
  use_ctest_gpu();
  EXPECT_EQ(env("CUDA_VISIBLE_DEVICES"), "3");
  EXPECT_EQ(env("CUDA_DEVICE_ORDER"), "PCI_BUS_ID");
  for (const char* v : {"CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER", "CTEST_RESOURCE_GROUP_COUNT",
                        "CTEST_RESOURCE_GROUP_0", "CTEST_RESOURCE_GROUP_0_GPUS"})
    ::unsetenv(v);
}

}  // namespace
}  // namespace qgemv::testing
