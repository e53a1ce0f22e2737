#include "harness/bench/ab_kernel_bench.h"

#include "harness/bench/nvtx_range.h"

namespace qgemv {

AbKernelBench::AbKernelBench(KernelBench& kb, const AbOptions& opt, const GpuClocks* clocks,
                             int device)
    : kb_(kb), opt_(opt), clocks_(clocks), device_(device) {}

AbResult AbKernelBench::run(const KernelCase& c, Path base, Path candidate) {
  const std::string name = row_key_string(c.row_key());
  const NvtxRange range("ab/" + name);
  kb_.prepare(c);
  if (opt_.relocate) kb_.relocate();
  AbSampler s;
  s.launches = s.per_sample_launches = kb_.launches();
  s.sample = [&](bool is_candidate, std::optional<uint64_t> spin) {
    kb_.set_path(is_candidate ? candidate : base);
    kb_.set_spin(spin);
    return kb_.sample_us();
  };
  AbResult out = ab_measure(name, opt_, clocks_, device_, s);
  kb_.check_output();
  return out;
}

}  // namespace qgemv
