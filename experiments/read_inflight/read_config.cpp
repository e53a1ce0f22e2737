#include "experiments/read_inflight/read_config.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace qgemv::experiment {

std::string_view read_variant_name(ReadVariant v) {
  switch (v) {
    case ReadVariant::kLoads:
      return "loads";
    case ReadVariant::kResident:
      return "resident";
    case ReadVariant::kBulk:
      return "bulk";
  }
  return "<unknown ReadVariant>";
}

std::optional<ReadVariant> parse_read_variant(std::string_view s) {
  for (ReadVariant v : kAllReadVariants)
    if (s == read_variant_name(v)) return v;
  return std::nullopt;
}

std::string ReadConfig::name() const {
  return std::string(read_variant_name(variant)) + "/u" + std::to_string(u) + "/t" +
         std::to_string(threads);
}

std::string read_config_error(const ReadConfig& c) {
  if (std::find(std::begin(kReadUnrolls), std::end(kReadUnrolls), c.u) == std::end(kReadUnrolls))
    return c.name() + ": u must be 1, 2, 4 or 8 (the compiled instances)";
  if (c.threads < 32 || c.threads > kMaxReadThreads || c.threads % 32 != 0)
    return c.name() + ": threads must be a multiple of 32 from 32 to 1024";
  return {};
}

std::vector<ReadConfig> read_configs(const std::vector<ReadVariant>& variants,
                                     const std::vector<int>& us, const std::vector<int>& threads) {
  std::vector<ReadConfig> out;
  for (ReadVariant v : variants)
    for (int u : us)
      for (int t : threads) {
        const ReadConfig c{v, u, t};
        if (const std::string e = read_config_error(c); !e.empty()) throw std::invalid_argument(e);
        out.push_back(c);
      }
  return out;
}

size_t read_ring_bytes(const ReadConfig& c) {
  return c.variant == ReadVariant::kBulk ? size_t(c.u) * size_t(c.threads) * kReadWordBytes : 0;
}

ReadLaunch read_launch(const ReadConfig& c, int64_t bytes, int64_t resident_ctas) {
  if (const std::string e = read_config_error(c); !e.empty()) throw std::invalid_argument(e);
  if (bytes <= 0 || bytes % kReadWordBytes != 0)
    throw std::invalid_argument(c.name() + ": " + std::to_string(bytes) +
                                " bytes is not a positive multiple of 16");
  ReadLaunch l;
  l.block = unsigned(c.threads);
  l.shared_bytes = read_ring_bytes(c);
  l.words = bytes / kReadWordBytes;
  // A bulk stage is one word per lane; the loads variants take u words per lane per tile.
  l.tile_words = int64_t(c.threads) * (c.variant == ReadVariant::kBulk ? 1 : c.u);
  l.tiles = (l.words + l.tile_words - 1) / l.tile_words;
  int64_t grid = l.tiles;
  if (c.variant != ReadVariant::kLoads) {
    if (resident_ctas < 1)
      throw std::invalid_argument(c.name() + ": no CTA of it fits on an SM (resident CTAs " +
                                  std::to_string(resident_ctas) + ")");
    grid = std::min(grid, resident_ctas);
  }
  if (grid > std::numeric_limits<int32_t>::max())
    throw std::invalid_argument(c.name() + ": " + std::to_string(grid) + " CTAs for " +
                                std::to_string(bytes) + " bytes, beyond a grid's 2^31 - 1");
  l.grid = unsigned(grid);
  return l;
}

int64_t read_bytes_in_flight_per_sm(const ReadConfig& c, int ctas_per_sm) {
  // u loads of a word per lane, or u stages of a word per lane: the same count either way.
  return int64_t(ctas_per_sm) * c.threads * c.u * kReadWordBytes;
}

double bytes_in_flight_needed_per_sm(double gbps, int sms, double latency_ns) {
  return gbps * latency_ns / sms;  // (gbps bytes per ns) / sms x ns
}

int loads_per_lane_for(double bytes_per_sm, int resident_threads_per_sm) {
  for (int u : kReadUnrolls)
    if (double(u) * resident_threads_per_sm * kReadWordBytes >= bytes_per_sm) return u;
  return kReadUnrolls[std::size(kReadUnrolls) - 1];
}

}  // namespace qgemv::experiment
