#pragma once
// The GEMV paths of the design, named once for the kernels, the reference's error model, the
// executor and the CLI.
#include <array>
#include <optional>
#include <string_view>

namespace qgemv {

enum class Path { kQ4K, kTiled, kChunked, kDp4a, kQ4KQ8, kMwv, kMwvQ8 };

inline constexpr std::array<Path, 7> kAllPaths = {
    Path::kQ4K, Path::kTiled, Path::kChunked, Path::kDp4a, Path::kQ4KQ8, Path::kMwv, Path::kMwvQ8};

constexpr std::string_view path_name(Path p) {
  switch (p) {
    case Path::kQ4K:
      return "q4k";
    case Path::kTiled:
      return "tiled";
    case Path::kChunked:
      return "chunked";
    case Path::kDp4a:
      return "dp4a";
    case Path::kQ4KQ8:
      return "q4k_q8";
    case Path::kMwv:
      return "mwv";
    case Path::kMwvQ8:
      return "mwv_q8";
  }
  return "?";
}

constexpr std::optional<Path> parse_path(std::string_view s) {
  for (Path p : kAllPaths)
    if (path_name(p) == s) return p;
  return std::nullopt;
}

// Paths that read Q8_1 activations (produced by q8_quantize) instead of f32.
constexpr bool path_takes_q8(Path p) { return p == Path::kQ4KQ8 || p == Path::kMwvQ8; }

// Paths whose arithmetic quantizes the input to Q8_1 (in-kernel or beforehand).
constexpr bool path_uses_q8_numerics(Path p) { return p == Path::kDp4a || path_takes_q8(p); }

}  // namespace qgemv
