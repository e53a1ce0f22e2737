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

// The mwv kernel on Q8_1 input, with either convention for the blocks' s: a constant
// expression, so both rows are constant-initialized like the others (constinit checks it).
constexpr PathInfo mwv_q8_row(std::string_view name, Q8Sum sum) {
  return {.name = name,
          .input = Activation::kQ8_1,
          .arithmetic = Arithmetic::kQ8_1,
          .rounding_extra = 16,
          .takes_outputs_per_block = false,
          .shape = mwv_shape,
          .launch = dev::launch_mwv_q8,
          .kernel_name = [](const PathInfo&, int64_t) { return "gemv_mwv_kernel<Q8Input>"; },
          .q8_sum = sum};
}

}  // namespace

namespace builtin {

const PathInfo q4k{.name = "q4k",
                   .input = Activation::kF32,
                   .arithmetic = Arithmetic::kF32,
                   .rounding_extra = 16,
                   .takes_outputs_per_block = false,
                   .shape = warp_per_row_shape,
                   .launch = dev::launch_q4k,
                   .kernel_name = [](const PathInfo&, int64_t) { return "gemv_q4k_kernel"; }};

const PathInfo tiled{.name = "tiled",
                     .input = Activation::kF32,
                     .arithmetic = Arithmetic::kF32,
                     .rounding_extra = 16,
                     .takes_outputs_per_block = true,
                     .shape = rows_per_cta_shape,
                     .launch = launch_tiled_or_chunked,
                     .kernel_name = [](const PathInfo&, int64_t k) {
                       return resolved_path(Path::kTiled, k) == Path::kChunked
                                  ? "gemv_chunked_kernel"
                                  : "gemv_tiled_kernel";
                     }};

const PathInfo chunked{
    .name = "chunked",
    .input = Activation::kF32,
    .arithmetic = Arithmetic::kF32,
    .rounding_extra = 16,
    .takes_outputs_per_block = true,
    .shape = rows_per_cta_shape,
    .launch = dev::launch_chunked,
    .kernel_name = [](const PathInfo&, int64_t) { return "gemv_chunked_kernel"; }};

const PathInfo dp4a{
    .name = "dp4a",
    .input = Activation::kF32,
    .arithmetic = Arithmetic::kQ8_1InKernel,
    .rounding_extra = 16,
    .takes_outputs_per_block = false,
    .shape = warp_per_row_shape,
    .launch = dev::launch_dp4a,
    .kernel_name = [](const PathInfo&, int64_t) { return "gemv_q8_warp_kernel<Q8FromF32>"; }};

const PathInfo q4k_q8{
    .name = "q4k_q8",
    .input = Activation::kQ8_1,
    .arithmetic = Arithmetic::kQ8_1,
    .rounding_extra = 16,
    .takes_outputs_per_block = false,
    .shape = warp_per_row_shape,
    .launch = dev::launch_q4k_q8,
    .kernel_name = [](const PathInfo&, int64_t) { return "gemv_q8_warp_kernel<Q8FromBuffer>"; }};

const PathInfo mwv{
    .name = "mwv",
    .input = Activation::kF32,
    .arithmetic = Arithmetic::kF32,
    .rounding_extra = 32,
    .takes_outputs_per_block = false,
    .shape = mwv_shape,
    .launch = dev::launch_mwv,
    .kernel_name = [](const PathInfo&, int64_t) { return "gemv_mwv_kernel<F32Input>"; }};

constinit const PathInfo mwv_q8 = mwv_q8_row("mwv_q8", Q8Sum::kSumOfX);

// mwv_q8's kernel on blocks whose s is d * sum q (ggml's CPU convention): the same kernel, a
// more accurate input (results/cpu/q8-conventions.md).
constinit const PathInfo mwv_q8_dsum = mwv_q8_row("mwv_q8_dsum", Q8Sum::kScaledSumOfQ);

}  // namespace builtin

// The table, in the order --path all runs it.
std::span<const PathInfo* const> builtin_table() {
  static const PathInfo* const rows[] = {&builtin::q4k,    &builtin::tiled,      &builtin::chunked,
                                         &builtin::dp4a,   &builtin::q4k_q8,     &builtin::mwv,
                                         &builtin::mwv_q8, &builtin::mwv_q8_dsum};
  return rows;
}

}  // namespace qgemv
