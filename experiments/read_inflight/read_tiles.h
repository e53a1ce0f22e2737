#pragma once
// Which 16-byte word each lane reads, one definition for the kernels and for the CPU test that
// checks every word of a buffer is read exactly once.
#include <cstdint>

#include "kernels/formats/host_device.h"

namespace qgemv::experiment {

// The word `lane` (of `threads`) reads with its load `load` (of `loads`) in tile `tile`. Each
// load is a run of `threads` consecutive words across the CTA, so a warp's load is 512
// contiguous bytes, and a tile is loads x threads consecutive words.
QGEMV_HD int64_t tile_word(int64_t tile, int load, int lane, int threads, int loads) {
  return (tile * loads + load) * threads + lane;
}

// The tile of a CTA's `pass`-th trip round its loop when `grid` CTAs stride over the tiles (with
// as many CTAs as tiles, each makes one pass).
QGEMV_HD int64_t cta_tile(int64_t cta, int64_t pass, int64_t grid) { return cta + pass * grid; }

}  // namespace qgemv::experiment
