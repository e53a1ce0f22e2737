// Deliberately broken GEMV kernels, built into the test binary only: each is a correct
// one-warp-per-row Q4_K GEMV on f32 input with one bug that real kernels have, registered as a
// path so that the real verification runs it beside the healthy paths.
#include "kernels/bench/global_timer.cuh"
#include "kernels/gemv/dependent_launch.cuh"
#include "kernels/gemv/q4k_lane_dot.cuh"
#include "kernels/gemv/warp_reduce.cuh"
#include "kernels/launch/launch.h"
#include "kernels/launch/path_registry.h"
#include "properties/gpu/broken/broken_kernels.h"

namespace qgemv::testing {
namespace {

constexpr uint64_t kHangNs = uint64_t(kHangSeconds * 1e9);

enum class Bug {
  kNone,
  kWritePastEnd,
  kRowTwice,
  kReadPastK,
  kIllegalAddress,
  kTrap,
  kHang,
  kUninitAcc,
  kNoWait
};

template <Bug kBug>
__global__ void broken_kernel(const BlockQ4K* w, const float* x, float* y, int n, int k) {
  dev::allow_dependent_launch();
  if constexpr (kBug != Bug::kNoWait) dev::wait_for_previous_grid();
  const int row = blockIdx.x, lane = threadIdx.x, nb = k / kQK;
  float acc = 0.0f;
  // The register keeps whatever it held: the compiler is told the asm wrote it.
  if constexpr (kBug == Bug::kUninitAcc) asm volatile("" : "=f"(acc));
  // Spins far past the self-test's step deadline, yet ends by itself: the test never has to
  // kill a running kernel, and a forgotten one frees the GPU after kHangNs.
  if constexpr (kBug == Bug::kHang) dev::sleep_for_ns(kHangNs);
  if constexpr (kBug == Bug::kTrap)
    if (row == n - 1) __trap();
  // Four values on: the last lanes of the last block read x[k .. k+3].
  const float* xr = kBug == Bug::kReadPastK ? x + 4 : x;
  acc = dev::lanes_sum(dev::q4k_lane_dot_blocks(acc, w + size_t(row) * nb, xr, nb, lane));
  if (lane != 0) return;
  float* out = y + row;
  if constexpr (kBug == Bug::kRowTwice)
    if (row == n - 1 && n > 1) out = y + row - 1;
  if constexpr (kBug == Bug::kIllegalAddress)
    if (row == 0) out = reinterpret_cast<float*>(uintptr_t(64));
  *out = acc;
  if constexpr (kBug == Bug::kWritePastEnd)
    if (row == n - 1) y[n] = acc;
}

// Four warps share each 1024-value chunk of x in shared memory, each copying a quarter, and read
// all of it without the barrier in between. The warps start staggered, as warps of a busy SM do,
// so the race shows on every run rather than now and then.
__global__ void missing_barrier_kernel(const BlockQ4K* w, const float* x, float* y, int n, int k) {
  constexpr int kChunk = 1024;
  __shared__ __align__(16) float xs[kChunk];
  dev::allow_dependent_launch();
  dev::wait_for_previous_grid();
  const int warp = threadIdx.x / kWarp, lane = threadIdx.x % kWarp;
  const int row = blockIdx.x * 4 + warp, nb = k / kQK;
  __nanosleep(2000 * warp);
  float acc = 0.0f;
  for (int c = 0; c < k; c += kChunk) {
    const int count = min(kChunk, k - c);
    for (int i = warp * 256 + lane; i < min(count, (warp + 1) * 256); i += kWarp) xs[i] = x[c + i];
    // The missing __syncthreads() belongs here.
    if (row < n)
      acc = dev::q4k_lane_dot_blocks(acc, w + size_t(row) * nb + c / kQK, xs, count / kQK, lane);
    __syncthreads();
  }
  acc = dev::lanes_sum(acc);
  if (lane == 0 && row < n) y[row] = acc;
}

template <auto kKernel>
void launch(const GemvLaunch& g, LaunchShape s, cudaStream_t stream) {
  dev::launch_after_previous(kKernel, s, stream, g.weights, static_cast<const float*>(g.input),
                             g.output, int(g.n), int(g.k));
}

LaunchShape four_rows_per_cta(const PathInfo&, int64_t n, int64_t, int) {
  return {ceil_div_u(n, 4), unsigned(4 * kWarp)};
}

constexpr PathInfo row(std::string_view name,
                       void (*l)(const GemvLaunch&, LaunchShape, cudaStream_t),
                       LaunchShape (*shape)(const PathInfo&, int64_t, int64_t,
                                            int) = warp_per_row_shape) {
  return {
      .name = name,
      .input = Activation::kF32,
      .arithmetic = Arithmetic::kF32,
      .rounding_extra = 16,
      .takes_outputs_per_block = false,
      .shape = shape,
      .launch = l,
      .kernel_name = [](const PathInfo&, int64_t) { return "a deliberately broken test kernel"; }};
}

const PathInfo kBroken[] = {
    row("broken_write_past_end", launch<broken_kernel<Bug::kWritePastEnd>>),
    row("broken_row_twice", launch<broken_kernel<Bug::kRowTwice>>),
    row("broken_read_past_k", launch<broken_kernel<Bug::kReadPastK>>),
    row("broken_illegal_address", launch<broken_kernel<Bug::kIllegalAddress>>),
    row("broken_trap", launch<broken_kernel<Bug::kTrap>>),
    row("broken_hang", launch<broken_kernel<Bug::kHang>>),
    row("broken_missing_barrier", launch<missing_barrier_kernel>, four_rows_per_cta),
    row("broken_uninit_accumulator", launch<broken_kernel<Bug::kUninitAcc>>),
    row("broken_no_wait", launch<broken_kernel<Bug::kNoWait>>),
};

}  // namespace

const std::vector<BrokenPath>& broken_paths() {
  static const std::vector<BrokenPath> paths = [] {
    // What every failure of each must say; the last three take the GPU's fault or hang path.
    const std::pair<const char*, Harm> expect[] = {
        {"past the end of", Harm::kNone},
        {"never written", Harm::kNone},
        {"reads outside", Harm::kNone},
        {"illegal memory access", Harm::kFault},
        {"fault:", Harm::kOptIn},
        {"hung:", Harm::kOptIn},
        {"", Harm::kNone},
        {"", Harm::kNone},
        {"before waiting for the previous kernel", Harm::kNone}};
    std::vector<BrokenPath> out;
    for (size_t i = 0; i < std::size(kBroken); ++i)
      out.push_back({register_path(kBroken[i]), expect[i].first, expect[i].second});
    return out;
  }();
  return paths;
}

Path healthy_test_path() {
  static const PathInfo info = row("test_warp_per_row", launch<broken_kernel<Bug::kNone>>);
  static const Path p = register_path(info);
  return p;
}

// Registered at start-up, so that the verification workers this binary starts know them too.
const bool registered = (broken_paths(), healthy_test_path(), true);

}  // namespace qgemv::testing
