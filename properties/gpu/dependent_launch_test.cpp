// Dependent launch is requested only for kernels whose loaded code has the wait: a kernel built
// for sm_89 alone, JIT-compiled on sm_90, launches in order.
#include <gtest/gtest.h>

#include "harness/executor/cuda_check.h"
#include "harness/executor/device_buffer.h"
#include "kernels/launch/dependent_wait.h"
#include "properties/gpu/old_arch/old_arch_kernel.h"
#include "properties/support/gpu_test.h"

namespace qgemv::testing {
namespace {

TEST(DependentWait, NeedsSm90CodeAndPtx) {
  EXPECT_TRUE(dependent_wait_compiled(90, 90));
  EXPECT_TRUE(dependent_wait_compiled(100, 100));
  EXPECT_FALSE(dependent_wait_compiled(89, 90));  // sm_89 PTX JIT-compiled for sm_90
  EXPECT_FALSE(dependent_wait_compiled(90, 89));
}

class DependentLaunch : public GpuTest {};

TEST_F(DependentLaunch, OldArchitectureKernelLaunchesInOrder) {
  cudaFuncAttributes a{};
  QGEMV_CUDA(cudaFuncGetAttributes(&a, old_arch_kernel_address()));
  EXPECT_EQ(a.ptxVersion, 89);
  EXPECT_FALSE(compiled_with_dependent_wait(old_arch_kernel_address()));
  DeviceBuffer<int> out(1);
  QGEMV_CUDA(cudaMemsetAsync(out.get(), 0, sizeof(int), ex_->stream()));
  QGEMV_CUDA(launch_old_arch_kernel(out.get(), ex_->stream()));
  int got = 0;
  QGEMV_CUDA(cudaMemcpyAsync(&got, out.get(), sizeof got, cudaMemcpyDeviceToHost, ex_->stream()));
  QGEMV_CUDA(cudaStreamSynchronize(ex_->stream()));
  EXPECT_EQ(got, 1);
}

}  // namespace
}  // namespace qgemv::testing
