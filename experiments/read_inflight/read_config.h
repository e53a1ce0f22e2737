#pragma once
// Readers that keep more bytes in flight per SM than the read row (kernels/bench/
// dependent_read.cu: one 16-byte load per thread, then the CTA exits), for the question of
// kernels/PERF_NOTES.md "Bytes in flight per SM": why the H200, with the H100's 132 SMs and 1.5x
// its bandwidth, reads at 68-69% of its ceiling where the H100 reads at 95-96%. An experiment:
// nothing in qgemv's paths, records or source hash uses it. Plain C++, so that the names, the
// launch shapes and the Little's-law arithmetic are tested without a GPU.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qgemv::experiment {

enum class ReadVariant {
  // One tile per CTA, as the read row: u loads per lane, all issued before any is used, then the
  // CTA exits. u = 1 with 256 threads is the read row's own kernel.
  kLoads,
  // A grid of as many CTAs as the device holds at once, each looping over tiles of u loads per
  // lane: the same bytes per lane without a CTA launched and retired per tile.
  kResident,
  // A grid of resident CTAs, each filling a ring of u stages (one 16-byte word per lane each) by
  // cp.async.bulk into shared memory, every lane folding each stage as it arrives: bytes in
  // flight held by the copy engine rather than by registers. sm_90; compiled for an older
  // architecture, the same grid reads each stage with plain loads (kResident at u = 1).
  kBulk,
};
inline constexpr ReadVariant kAllReadVariants[] = {ReadVariant::kLoads, ReadVariant::kResident,
                                                   ReadVariant::kBulk};
std::string_view read_variant_name(ReadVariant v);  // "loads", "resident", "bulk"
std::optional<ReadVariant> parse_read_variant(std::string_view s);

// Loads per lane per tile (kLoads, kResident) or stages in the ring (kBulk): 1, 2, 4 or 8, each
// a compiled instance.
inline constexpr int kReadUnrolls[] = {1, 2, 4, 8};
inline constexpr int kMaxReadThreads = 1024;
inline constexpr int kReadWordBytes = 16;  // every variant moves 16-byte words

struct ReadConfig {
  ReadVariant variant = ReadVariant::kLoads;
  int u = 1;
  int threads = 256;
  std::string name() const;  // "loads/u4/t256"
};

// Why `c` cannot be launched (u not an instance, threads not a multiple of 32 in [32, 1024]),
// or empty when it can.
std::string read_config_error(const ReadConfig& c);

// Every variant x u x threads, variant outermost; throws std::invalid_argument naming the
// first invalid combination.
std::vector<ReadConfig> read_configs(const std::vector<ReadVariant>& variants,
                                     const std::vector<int>& us, const std::vector<int>& threads);

// A launch of `c` over a buffer, derived here and nowhere else.
struct ReadLaunch {
  unsigned grid = 0;
  unsigned block = 0;
  size_t shared_bytes = 0;  // dynamic shared memory: the bulk ring
  int64_t words = 0;        // 16-byte words in the buffer
  int64_t tile_words = 0;   // words a CTA consumes per pass of its loop
  int64_t tiles = 0;        // passes over all CTAs: ceil(words / tile_words)
};

// The bulk ring's shared memory (u stages of one word per lane); 0 for the other variants.
size_t read_ring_bytes(const ReadConfig& c);

// `bytes`: a positive multiple of 16. `resident_ctas`: CTAs of `c` the device holds at once (SMs
// x CTAs per SM at its threads and ring), which sizes the kResident and kBulk grids. Throws
// std::invalid_argument on an invalid config or byte count, resident_ctas < 1 where it is
// used, or a grid beyond 2^31 - 1.
ReadLaunch read_launch(const ReadConfig& c, int64_t bytes, int64_t resident_ctas);

// Bytes `c` has requested and not yet received per SM when `ctas_per_sm` of its CTAs are
// resident with all their loads or stages outstanding: the most it can hold in flight. A kLoads
// CTA holds them only between its loads and their arrival, so on average it holds less.
int64_t read_bytes_in_flight_per_sm(const ReadConfig& c, int ctas_per_sm);

// Little's law: bytes that must be outstanding per SM for `gbps` (1e9 bytes/s) spread over
// `sms` SMs when each request takes `latency_ns` to return.
double bytes_in_flight_needed_per_sm(double gbps, int sms, double latency_ns);

// The fewest loads per lane among kReadUnrolls with which `resident_threads_per_sm` lanes hold
// `bytes_per_sm` in flight (the largest when none does): the device-derived choice, from its
// bandwidth per SM rather than its name, that the sweep is to confirm or refute.
int loads_per_lane_for(double bytes_per_sm, int resident_threads_per_sm);

}  // namespace qgemv::experiment
