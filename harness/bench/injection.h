#pragma once
// A deliberate slowdown inside every timed region, to measure what `qgemv compare` catches.
// One spin kernel runs at the end of each region (after a kernel sample's launches, after a
// token's work and before its final synchronisation, where the host waits for it in every
// mode). Its length is a percentage of the region's own time, calibrated per case on the
// warm-up samples (taken with a zero-length spin), plus a fixed delay per launch. A run with
// --inject-slowdown 0 has the spin kernel at zero length: the same launches as a slowed run,
// so that comparing the two measures the slowdown alone.
#include <cstdint>
#include <optional>

namespace qgemv {

struct Injection {
  bool active = false;      // a spin kernel in every timed region
  double slowdown_pct = 0;  // the spin's length, percent of the region's calibrated time
  uint64_t delay_ns = 0;    // plus this per launch in the region

  // Spin cycles for a region that took `region_us` (zero-length spin included) holding
  // `launches` GEMV launches, at an SM clock of `sm_mhz`; nullopt when not active.
  std::optional<uint64_t> spin_cycles(double region_us, int launches, double sm_mhz) const {
    if (!active) return std::nullopt;
    const double ns = slowdown_pct / 100 * region_us * 1e3 + double(launches) * double(delay_ns);
    return uint64_t(ns * sm_mhz / 1e3);
  }
};

}  // namespace qgemv
