#include "harness/bench/token_breakdown.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace qgemv {
namespace {

std::string ms(double us) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3f ms", us * 1e-3);
  return b;
}

std::string us_text(double us) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f us", us);
  return b;
}

const ModeCost* find_mode(const std::vector<ModeCost>& all, const std::string& mode) {
  for (const ModeCost& m : all)
    if (m.mode == mode) return &m;
  return nullptr;
}

std::string alternative(const std::vector<ModeCost>& all, const std::string& mode) {
  const ModeCost* m = find_mode(all, mode);
  return mode + " mode removes it" + (m ? " (" + ms(m->wall_us) + " per token)" : "");
}

}  // namespace

double ModeBreakdown::measured_us() const {
  double sum = 0;
  for (const CostPart& p : parts)
    if (p.name != "other") sum += p.us;
  return sum;
}

double ModeBreakdown::unaccounted_fraction() const {
  return wall_us > 0 ? std::abs(measured_us() - wall_us) / wall_us : 0;
}

ModeBreakdown break_down(const ModeCost& m, const TokenFacts& f, const std::vector<ModeCost>& all) {
  ModeBreakdown b;
  b.mode = m.mode;
  b.wall_us = m.wall_us;
  b.gpu_us = m.gpu_us;
  b.kernel_us = f.kernel_us;
  b.gap_us = std::max(0.0, m.gpu_us - f.kernel_us);
  const bool pool = m.mode == "pool";
  const std::string alloc_calls = pool ? "cudaMallocAsync/cudaFreeAsync" : "cudaMalloc/cudaFree";
  b.parts = {
      {"allocation", m.alloc_us,
       std::to_string(m.allocations) + " " + alloc_calls + " calls" +
           (m.mode == "alloc" ? " (cudaFree waits for the device)" : "")},
      {"launching", m.launch_us,
       std::to_string(m.launches) + (m.mode == "graph" ? " graph launch" : " launch calls") +
           (m.launches > 0 ? ", " + us_text(m.launch_us / double(m.launches)) + " each" : "")},
      {"synchronisation", m.sync_us, "waiting for the GPU after the last launch"},
      {"other", m.wall_us - m.alloc_us - m.launch_us - m.sync_us, "host time not measured"},
  };
  const auto largest =
      std::max_element(b.parts.begin(), b.parts.begin() + 3,
                       [](const CostPart& a, const CostPart& c) { return a.us < c.us; });
  const std::string of = ms(largest->us) + " of " + ms(m.wall_us);
  if (largest->name == "allocation") {
    b.cause = m.mode + " mode: " + std::to_string(m.allocations) + " " + alloc_calls +
              " per token, " + of;
    b.remedy = alternative(all, "workspace");
  } else if (largest->name == "launching") {
    b.cause = m.mode + " mode: " + std::to_string(m.launches) + " launch calls per token, " + of +
              "; the GPU idles " + ms(b.gap_us) + " between kernels";
    b.remedy =
        m.mode == "graph" ? "fewer kernels (fused GEMVs) remove it" : alternative(all, "graph");
  } else {
    b.cause = m.mode + " mode: waiting for the GPU, " + of + "; the GPU's " + ms(m.gpu_us) +
              " are " + ms(f.kernel_us) + " of kernels and " + ms(b.gap_us) +
              " of gaps; the bandwidth floor is " + ms(f.floor_us);
    if (b.gap_us > 0.25 * f.kernel_us)
      b.remedy = m.mode == "graph" ? "fewer kernels (fused GEMVs) shrink the gaps"
                                   : alternative(all, "graph");
    else
      b.remedy = "faster kernels: they run at " +
                 std::to_string(int(std::lround(100 * f.floor_us / std::max(f.kernel_us, 1e-9)))) +
                 "% of the bandwidth floor's speed";
    if (f.dependency_us > 0)
      b.remedy += "; the " + std::to_string(f.kernels) + " kernels' dependencies alone take " +
                  ms(f.dependency_floor_us()) + " (" + us_text(f.dependency_us) +
                  " each), which only fewer dependent kernels reduce";
  }
  return b;
}

}  // namespace qgemv
