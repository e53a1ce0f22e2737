#pragma once
// A GEMV path is data: one PathInfo row says what its kernel reads, which reference arithmetic
// and rounding budget bound its output, how it is launched and what its kernel is called. The
// built-in paths are the rows of one table (kernels/launch/builtin_paths.cu); test files and
// external kernels add rows at run time (kernels/launch/path_registry.h). Plain C++, so that the
// reference and the CPU tests use it without the CUDA runtime.
#include <cstdint>
#include <span>
#include <string_view>

#include "kernels/formats/blocks.h"

struct CUstream_st;  // cudaStream_t, without the CUDA headers

namespace qgemv {

struct GemvLaunch;
struct LaunchShape;

enum class Activation { kF32, kQ8_1 };

// Which arithmetic the reference models, so which reference a path is checked against.
enum class Arithmetic {
  kF32,           // f32 input times dequantized weights
  kQ8_1,          // integer dot products on Q8_1 input from q8_quantize (s: the block's sum)
  kQ8_1InKernel,  // the same, quantized inside the kernel, which sums s in its own order
};

struct PathInfo {
  std::string_view name;
  Activation input;
  Arithmetic arithmetic;
  // Longest chain of f32 roundings one summand passes through is k/256 + this
  // (reference/ERROR_MODEL.md counts it for each built-in kernel).
  int64_t rounding_extra;
  bool takes_outputs_per_block;  // 1, 2, 4 or 8 output rows per CTA
  LaunchShape (*shape)(const PathInfo& p, int64_t n, int64_t k, int outputs_per_block);
  // Enqueues the kernel (g.path is this row); the launch error is left for cudaGetLastError, as
  // with <<<>>>.
  void (*launch)(const GemvLaunch& g, LaunchShape s, CUstream_st* stream);
  const char* (*kernel_name)(const PathInfo& p, int64_t k);  // for error messages
  // What a row's functions need beyond the row (an external kernel's module and launch spec).
  const void* context = nullptr;
  // Q8_1 paths: what the quantizer stores as a block's s (the reference quantizes the same way).
  Q8Sum q8_sum = Q8Sum::kSumOfX;
};

// A handle on a registered PathInfo; equal when it names the same row.
class Path {
 public:
  constexpr explicit Path(const PathInfo& info) : info_(&info) {}
  constexpr const PathInfo* operator->() const { return info_; }
  constexpr const PathInfo& info() const { return *info_; }
  friend constexpr bool operator==(Path a, Path b) { return a.info_ == b.info_; }

  static const Path kQ4K, kTiled, kChunked, kDp4a, kQ4KQ8, kMwv, kMwvQ8, kMwvQ8Dsum;

 private:
  const PathInfo* info_;
};

namespace builtin {
extern const PathInfo q4k, tiled, chunked, dp4a, q4k_q8, mwv, mwv_q8, mwv_q8_dsum;
}  // namespace builtin

// The rows of builtin_paths.cu, in order.
std::span<const PathInfo* const> builtin_table();

inline constexpr Path Path::kQ4K{builtin::q4k};
inline constexpr Path Path::kTiled{builtin::tiled};
inline constexpr Path Path::kChunked{builtin::chunked};
inline constexpr Path Path::kDp4a{builtin::dp4a};
inline constexpr Path Path::kQ4KQ8{builtin::q4k_q8};
inline constexpr Path Path::kMwv{builtin::mwv};
inline constexpr Path Path::kMwvQ8{builtin::mwv_q8};
inline constexpr Path Path::kMwvQ8Dsum{builtin::mwv_q8_dsum};

constexpr std::string_view path_name(Path p) { return p->name; }

// Paths that read Q8_1 activations (produced by q8_quantize) instead of f32.
constexpr bool path_takes_q8(Path p) { return p->input == Activation::kQ8_1; }

// Paths whose arithmetic quantizes the input to Q8_1 (in-kernel or beforehand).
constexpr bool path_uses_q8_numerics(Path p) { return p->arithmetic != Arithmetic::kF32; }

}  // namespace qgemv
