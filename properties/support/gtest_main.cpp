// main() of the GPU test binaries: a verification worker when started as one (isolated
// verification starts workers from the binary it runs in), GoogleTest otherwise. With
// GoogleTest's own main, a worker would run every test again, itself starting workers.
// Under CTest with a resource spec, the test runs on the GPU CTest gave it.
#include <gtest/gtest.h>

#include "harness/verify/verify_worker.h"
#include "properties/support/ctest_gpu.h"

int main(int argc, char** argv) {
  qgemv::testing::use_ctest_gpu();
  if (const auto worker = qgemv::run_verify_worker_if_asked(argc, argv)) return *worker;
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
