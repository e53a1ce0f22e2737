#pragma once
// How a decode step's launches are issued (docs/DESIGN.md, "Token suite and modes").
#include <optional>
#include <string>

namespace qgemv {

enum class TokenMode { kAlloc, kPool, kWorkspace, kGraph };
inline constexpr TokenMode kAllTokenModes[] = {TokenMode::kAlloc, TokenMode::kPool,
                                               TokenMode::kWorkspace, TokenMode::kGraph};

inline const char* mode_name(TokenMode m) {
  switch (m) {
    case TokenMode::kAlloc:
      return "alloc";
    case TokenMode::kPool:
      return "pool";
    case TokenMode::kWorkspace:
      return "workspace";
    case TokenMode::kGraph:
      return "graph";
  }
  return "?";
}

inline std::optional<TokenMode> parse_mode(const std::string& s) {
  for (TokenMode m : kAllTokenModes)
    if (s == mode_name(m)) return m;
  return std::nullopt;
}

}  // namespace qgemv
