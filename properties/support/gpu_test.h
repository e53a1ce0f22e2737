#pragma once
// The fixture of GPU suites that share one executor: skips every test, with the reason, when
// there is no CUDA device; loads every module eagerly before the first CUDA call (the gated
// timer's wait kernel must not wait for a lazy module load).
#include <gtest/gtest.h>

#include <memory>

#include "harness/bench/eager_module_loading.h"
#include "harness/executor/device_info.h"
#include "harness/executor/executor.h"

namespace qgemv::testing {

class GpuTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(eager_);
    const DeviceInfo d = query_device();
    if (!d.available) GTEST_SKIP() << "no CUDA device: " << d.reason;
    if (!ex_) ex_ = std::make_unique<Executor>();
  }
  static inline const bool eager_ = (require_eager_module_loading(), true);
  static inline std::unique_ptr<Executor> ex_;
};

}  // namespace qgemv::testing
