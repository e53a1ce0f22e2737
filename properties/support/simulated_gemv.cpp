#include "properties/support/simulated_gemv.h"

#include <cmath>
#include <limits>

#include "harness/verify/gpu_gemv.h"
#include "kernels/formats/fp16_bits.h"
#include "kernels/launch/launch_config.h"

namespace qgemv::testing {

const char* name(Bug b) {
  switch (b) {
    case Bug::kNone:
      return "none";
    case Bug::kNibbleOrderSwapped:
      return "nibble order swapped";
    case Bug::kScaleMinSwapped:
      return "scale and min swapped";
    case Bug::kDminDropped:
      return "dmin term dropped";
    case Bug::kSubBlockSkipped:
      return "one sub-block skipped";
    case Bug::kLastChunkSkipped:
      return "last 8192-value chunk skipped";
    case Bug::kLastRowSkipped:
      return "last row skipped";
    case Bug::kElementSkipped:
      return "single element skipped";
    case Bug::kElementMisplaced:
      return "single element misplaced";
  }
  return "?";
}

bool is_single_element(Bug b) { return b == Bug::kElementSkipped || b == Bug::kElementMisplaced; }

namespace {

struct Decoded {
  float q;       // 0..15
  float scale;   // 6-bit
  float min;     // 6-bit, 0 when the dmin term is dropped
  bool skipped;  // contributes nothing
};

// How a buggy kernel sees value i of block b in a row of nb blocks, for input position e.
Decoded decode(const BlockQ4K& blk, int b, int nb, int i, int64_t k, Bug bug) {
  const int j = i / 32;
  ScaleMin sm = q4k_scale_min(j, blk.scales);
  if (bug == Bug::kScaleMinSwapped) std::swap(sm.scale, sm.min);
  int shift = q4k_nibble_shift(i);
  if (bug == Bug::kNibbleOrderSwapped) shift = 4 - shift;
  const int q = (blk.qs[q4k_qs_index(i)] >> shift) & 0xF;
  const int64_t e = int64_t(b) * kQK + i;
  const int64_t last_chunk = ((k - 1) / kChunkValues) * kChunkValues;
  const bool skipped = (bug == Bug::kSubBlockSkipped && b == nb - 1 && j == 7) ||
                       (bug == Bug::kLastChunkSkipped && e >= last_chunk);
  return {float(q), float(sm.scale), bug == Bug::kDminDropped ? 0.0f : float(sm.min), skipped};
}

int64_t input_index(int64_t e, Bug bug, int64_t element) {
  return bug == Bug::kElementMisplaced && e == element ? (e ^ 1) : e;
}

bool input_dropped(int64_t e, Bug bug, int64_t element) {
  return bug == Bug::kElementSkipped && e == element;
}

template <typename T, int Lanes>
T butterfly(T (&v)[Lanes]) {
  for (int off = Lanes / 2; off > 0; off /= 2) {
    T next[Lanes];
    for (int i = 0; i < Lanes; ++i) next[i] = v[i] + v[i ^ off];
    for (int i = 0; i < Lanes; ++i) v[i] = next[i];
  }
  return v[0];
}

}  // namespace

std::vector<float> simulate_f32_gemv(const Q4KMatrix& w, std::span<const float> x, Bug bug,
                                     int64_t element) {
  const int nb = int(w.blocks_per_row());
  std::vector<float> y(size_t(w.n), output_poison());
  const int64_t rows = bug == Bug::kLastRowSkipped ? w.n - 1 : w.n;
  for (int64_t r = 0; r < rows; ++r) {
    float acc[kWarp] = {};
    for (int b = 0; b < nb; ++b) {
      const BlockQ4K& blk = w.row(r)[b];
      const float d = fp16_to_f32(blk.d), dmin = fp16_to_f32(blk.dmin);
      for (int lane = 0; lane < kWarp; ++lane) {
        const int g = lane / 8, i0 = (lane % 8) * 4;
        float part[2][2] = {};  // [lo/hi][qx, x]
        float sc[2] = {}, mn[2] = {};
        for (int h = 0; h < 2; ++h)
          for (int t = 0; t < 4; ++t) {
            const int i = 64 * g + 32 * h + i0 + t;
            const Decoded dv = decode(blk, b, nb, i, w.k, bug);
            sc[h] = dv.scale, mn[h] = dv.min;
            const int64_t e = int64_t(b) * kQK + i;
            const float xv = dv.skipped || input_dropped(e, bug, element)
                                 ? 0.0f
                                 : x[size_t(input_index(e, bug, element))];
            part[h][0] += dv.q * xv;
            part[h][1] += xv;
          }
        acc[lane] += (d * sc[0]) * part[0][0] - (dmin * mn[0]) * part[0][1] +
                     (d * sc[1]) * part[1][0] - (dmin * mn[1]) * part[1][1];
      }
    }
    y[size_t(r)] = butterfly(acc);
  }
  return y;
}

std::vector<float> simulate_q8_gemv(const Q4KMatrix& w, std::span<const BlockQ8_1> xq, Bug bug,
                                    int64_t element) {
  const int nb = int(w.blocks_per_row());
  std::vector<float> y(size_t(w.n), output_poison());
  const int64_t rows = bug == Bug::kLastRowSkipped ? w.n - 1 : w.n;
  for (int64_t r = 0; r < rows; ++r) {
    float acc[kSubBlocks] = {};
    for (int b = 0; b < nb; ++b) {
      const BlockQ4K& blk = w.row(r)[b];
      const float d = fp16_to_f32(blk.d), dmin = fp16_to_f32(blk.dmin);
      for (int j = 0; j < kSubBlocks; ++j) {
        const BlockQ8_1& a = xq[size_t(b) * kSubBlocks + j];
        int sumi = 0;
        Decoded dv{};
        bool whole_skipped = true;
        for (int t = 0; t < kQ8Values; ++t) {
          const int i = 32 * j + t;
          dv = decode(blk, b, nb, i, w.k, bug);
          const int64_t e = int64_t(b) * kQK + i;
          if (dv.skipped) continue;
          whole_skipped = false;
          if (input_dropped(e, bug, element)) continue;
          const int64_t src = input_index(e, bug, element);
          sumi += int(dv.q) * xq[size_t(src / kQ8Values)].qs[src % kQ8Values];
        }
        if (whole_skipped) continue;
        acc[j] +=
            (d * dv.scale) * fp16_to_f32(a.d) * float(sumi) - (dmin * dv.min) * fp16_to_f32(a.s);
      }
    }
    y[size_t(r)] = butterfly(acc);
  }
  return y;
}

}  // namespace qgemv::testing
