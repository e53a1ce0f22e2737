#pragma once
// The child process Nsight Compute profiles (`qgemv profile --target ...`): it sets everything
// up outside the profiled region, then launches each kernel once between cudaProfilerStart and
// cudaProfilerStop (ncu runs with --profile-from-start off), and returns what it launched, in
// order, for the manifest. Nothing is timed and nothing is sampled.
#include <cstdint>
#include <vector>

#include "harness/bench/token_plan.h"
#include "harness/executor/executor.h"
#include "harness/profile/kernel_counters.h"

namespace qgemv::profile {

// The plan's first layer only: every layer launches the same kernels on the same shapes.
// per_token of each launch is the plan's layer count.
TokenPlan first_layer(TokenPlan plan, int64_t* layers);

// One token's first layer in the workspace form (stacked q/k/v and gate/up, one Q8_1
// quantization per input on two-stage paths), after one unprofiled warm-up token.
std::vector<LaunchLabel> profile_token_layer(Executor& ex, TokenPlan plan, Path p, uint64_t seed);

// Each projection of the plan's first layer in a launch of its own (as the kernel suite times
// them: q, k, v, gate and up not stacked), after a Q8_1 quantization of its input on two-stage
// paths; after one unprofiled pass.
std::vector<LaunchLabel> profile_kernel_layer(Executor& ex, TokenPlan plan, Path p, uint64_t seed);

// The known-character kernels: a streaming read of 1 GiB (memory bandwidth), an FMA spin
// (instruction issue), a one-warp pointer chase (latency or occupancy). `device` is the one
// `ex` runs on: the FMA spin fills its SMs, whose count the executor does not tell.
std::vector<LaunchLabel> profile_probes(Executor& ex, int device);

}  // namespace qgemv::profile
