#include "harness/bench/ab_token_bench.h"

#include "harness/bench/nvtx_range.h"
#include "harness/bench/token_bench.h"

namespace qgemv {

AbTokenBench::AbTokenBench(TokenModel& model, const AbOptions& opt, const GpuClocks* clocks,
                           int device)
    : model_(model), opt_(opt), clocks_(clocks), device_(device) {}

AbResult AbTokenBench::run(Path path, TokenMode mode, Path base, Path candidate) {
  const std::string name = row_key_string(token_row_key(model_, path, mode));
  const NvtxRange range("ab/" + name);
  AbSampler s;  // one region per token, sized as the token rows' injection is
  s.sample = [&](bool is_candidate, std::optional<uint64_t> spin) {
    return model_.run(is_candidate ? candidate : base, mode, spin).wall_us;
  };
  AbResult out = ab_measure(name, opt_, clocks_, device_, s);
  // Either side wrote the workspace last; both must leave finite outputs.
  if (mode == TokenMode::kWorkspace || mode == TokenMode::kGraph) {
    for (Path p : {base, candidate}) {
      model_.run(p, mode);
      model_.check_outputs();
    }
  }
  return out;
}

}  // namespace qgemv
