#pragma once
// Where one token's time goes in a mode, from the medians the token benchmark measured: the
// host's wall time split into allocation calls, launch calls, the final wait for the GPU and
// what is left; the GPU's span split into kernels and gaps; and the largest cause, with what
// removes it. Pure arithmetic on measurements, so the CPU suites test it.
#include <cstdint>
#include <string>
#include <vector>

namespace qgemv {

// Medians per token in one mode.
struct ModeCost {
  std::string mode;  // alloc, pool, workspace, graph
  double wall_us = 0, gpu_us = 0, alloc_us = 0, launch_us = 0, sync_us = 0;
  int64_t allocations = 0, launches = 0;
};

// What holds for the token in every mode.
struct TokenFacts {
  std::string preset, path;
  int64_t gemvs = 0, kernels = 0;
  double kernel_us = 0;  // the token's kernels back to back (sum of kernel times)
  double floor_us = 0;   // the token's bytes at the measured read ceiling
  double ceiling_gbps = 0;
  double dependency_us = 0;  // one dependency between kernels (dependency_floor.h); 0: unmeasured
  // The kernels' dependencies alone: kernels x dependency_us.
  double dependency_floor_us() const { return double(kernels) * dependency_us; }
};

struct CostPart {
  std::string name;  // allocation, launching, synchronisation, other
  double us = 0;
  std::string detail;
};

struct ModeBreakdown {
  std::string mode;
  double wall_us = 0;
  std::vector<CostPart> parts;  // a partition of wall_us; "other" is the unmeasured rest
  double gpu_us = 0, kernel_us = 0, gap_us = 0;
  std::string cause;           // the largest measured part, with its numbers
  std::string remedy;          // what removes it
  double measured_us() const;  // sum of the parts other than "other"
  // |measured - wall| / wall: how well the measured parts account for the token.
  double unaccounted_fraction() const;
};

// `all` gives the other modes' costs for the remedy's numbers.
ModeBreakdown break_down(const ModeCost& m, const TokenFacts& facts,
                         const std::vector<ModeCost>& all);

}  // namespace qgemv
