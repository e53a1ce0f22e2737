// The built-in paths, one row each: adding a path is a kernel file (kernels/gemv/) and a row here
// (docs/ADDING_A_PATH.md). Rounding budgets are counted in reference/ERROR_MODEL.md ("Why the
// bound holds") and rounded up.
#include "kernels/gemv/path_kernels.cuh"
#include "kernels/launch/gemv_path.h"
#include "kernels/launch/launch_config.h"

namespace qgemv {
namespace {

// tiled holds the whole f32 input in shared memory; above kMaxTiledK it runs chunked's kernel.
void launch_tiled_or_chunked(const GemvLaunch& g, LaunchShape s, cudaStream_t stream) {
  if (resolved_path(Path::kTiled, g.k) == Path::kChunked) return dev::launch_chunked(g, s, stream);
  dev::launch_tiled(g, s, stream);
}

}  // namespace

namespace builtin {

const PathInfo q4k{
    "q4k", Activation::kF32,   Arithmetic::kF32, 16,
    false, warp_per_row_shape, dev::launch_q4k,  [](int64_t) { return "gemv_q4k_kernel"; }};

const PathInfo tiled{
    "tiled",
    Activation::kF32,
    Arithmetic::kF32,
    16,
    true,
    rows_per_cta_shape,
    launch_tiled_or_chunked,
    [](int64_t k) { return k > kMaxTiledK ? "gemv_chunked_kernel" : "gemv_tiled_kernel"; }};

const PathInfo chunked{"chunked",
                       Activation::kF32,
                       Arithmetic::kF32,
                       16,
                       true,
                       rows_per_cta_shape,
                       dev::launch_chunked,
                       [](int64_t) { return "gemv_chunked_kernel"; }};

const PathInfo dp4a{"dp4a",
                    Activation::kF32,
                    Arithmetic::kQ8_1InKernel,
                    16,
                    false,
                    warp_per_row_shape,
                    dev::launch_dp4a,
                    [](int64_t) { return "gemv_q8_warp_kernel<Q8FromF32>"; }};

const PathInfo q4k_q8{"q4k_q8",
                      Activation::kQ8_1,
                      Arithmetic::kQ8_1,
                      16,
                      false,
                      warp_per_row_shape,
                      dev::launch_q4k_q8,
                      [](int64_t) { return "gemv_q8_warp_kernel<Q8FromBuffer>"; }};

const PathInfo mwv{
    "mwv", Activation::kF32, Arithmetic::kF32, 32,
    false, mwv_shape,        dev::launch_mwv,  [](int64_t) { return "gemv_mwv_kernel<F32Input>"; }};

const PathInfo mwv_q8{"mwv_q8",
                      Activation::kQ8_1,
                      Arithmetic::kQ8_1,
                      16,
                      false,
                      mwv_shape,
                      dev::launch_mwv_q8,
                      [](int64_t) { return "gemv_mwv_kernel<Q8Input>"; }};

}  // namespace builtin
}  // namespace qgemv
