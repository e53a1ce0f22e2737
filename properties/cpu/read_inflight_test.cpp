// The read-variant experiment without a GPU: names, the launch shapes (every 16-byte word read
// exactly once, by the kernels' own word map), the bytes in flight and Little's law for the
// H100 and H200, the sweep's shapes and its CSV and markdown.
#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>

#include "experiments/read_inflight/read_config.h"
#include "experiments/read_inflight/read_sweep.h"
#include "experiments/read_inflight/read_tiles.h"
#include "experiments/read_inflight/sweep_report.h"

namespace qgemv::experiment {
namespace {

TEST(ReadInflight, VariantNamesRoundTrip) {
  for (ReadVariant v : kAllReadVariants) EXPECT_EQ(parse_read_variant(read_variant_name(v)), v);
  EXPECT_EQ(parse_read_variant("tma"), std::nullopt);
  EXPECT_EQ(parse_read_variant(""), std::nullopt);
  EXPECT_EQ((ReadConfig{ReadVariant::kBulk, 4, 512}.name()), "bulk/u4/t512");
}

TEST(ReadInflight, ConfigsOutsideTheInstancesAreRefusedWithTheReason) {
  EXPECT_EQ(read_config_error({ReadVariant::kLoads, 8, 1024}), "");
  EXPECT_NE(read_config_error({ReadVariant::kLoads, 3, 256}).find("u must be 1, 2, 4 or 8"),
            std::string::npos);
  for (int threads : {0, 16, 48, 1056})
    EXPECT_NE(read_config_error({ReadVariant::kResident, 1, threads}).find("multiple of 32"),
              std::string::npos)
        << threads;
  EXPECT_THROW(read_configs({ReadVariant::kBulk}, {1, 16}, {256}), std::invalid_argument);
  const auto all = read_configs({ReadVariant::kLoads, ReadVariant::kBulk}, {1, 2}, {128, 256});
  ASSERT_EQ(all.size(), 8u);
  EXPECT_EQ(all.front().name(), "loads/u1/t128");
  EXPECT_EQ(all[3].name(), "loads/u2/t256");
  EXPECT_EQ(all.back().name(), "bulk/u2/t256");
}

// Walks every CTA's passes and lanes' loads as the kernels do (read_tiles.h) and counts the
// reads of each word.
std::vector<int> reads_per_word(const ReadConfig& c, const ReadLaunch& l) {
  std::vector<int> reads(size_t(l.words), 0);
  const int loads = c.variant == ReadVariant::kBulk ? 1 : c.u;
  for (int64_t cta = 0; cta < l.grid; ++cta)
    for (int64_t pass = 0, tile = cta; tile < l.tiles; tile = cta_tile(cta, ++pass, l.grid))
      for (int load = 0; load < loads; ++load)
        for (int lane = 0; lane < c.threads; ++lane) {
          const int64_t w = tile_word(tile, load, lane, c.threads, loads);
          if (w < l.words) ++reads[size_t(w)];
        }
  return reads;
}

TEST(ReadInflight, EveryWordIsReadExactlyOnce) {
  const auto configs = read_configs({std::begin(kAllReadVariants), std::end(kAllReadVariants)},
                                    {1, 2, 4, 8}, {32, 96, 256, 1024});
  // One word, a tile and a word, the 1.5b q+k+v's bytes; grids of one CTA, a few, and a device.
  for (int64_t bytes : {int64_t(16), int64_t(4096 + 16), int64_t(2048) * 6 * 144})
    for (int64_t resident : {int64_t(1), int64_t(7), int64_t(132) * 8})
      for (const ReadConfig& c : configs) {
        const ReadLaunch l = read_launch(c, bytes, resident);
        const std::vector<int> reads = reads_per_word(c, l);
        const auto wrong = std::find_if(reads.begin(), reads.end(), [](int n) { return n != 1; });
        ASSERT_EQ(wrong, reads.end())
            << c.name() << ", " << bytes << " bytes, " << resident << " resident CTAs: word "
            << (wrong - reads.begin()) << " read " << *wrong << " times";
      }
}

TEST(ReadInflight, GridsAndRingsFollowTheVariant) {
  const int64_t bytes = int64_t(18944) * 14 * 144;  // the 7b gate: 38.2 MB
  const ReadLaunch row = read_launch({ReadVariant::kLoads, 1, 256}, bytes, 0);
  EXPECT_EQ(row.grid, 9324u);  // the read row's grid: a CTA per 4 KB
  EXPECT_EQ(row.block, 256u);
  EXPECT_EQ(row.shared_bytes, 0u);
  const ReadLaunch loads = read_launch({ReadVariant::kLoads, 4, 256}, bytes, 0);
  EXPECT_EQ(loads.tile_words, 1024);
  EXPECT_EQ(loads.grid, 2331u);
  const ReadLaunch resident = read_launch({ReadVariant::kResident, 4, 256}, bytes, 132 * 8);
  EXPECT_EQ(resident.grid, 132u * 8);
  EXPECT_EQ(resident.tiles, 2331);
  const ReadLaunch bulk = read_launch({ReadVariant::kBulk, 8, 1024}, bytes, 132);
  EXPECT_EQ(bulk.grid, 132u);
  EXPECT_EQ(bulk.tile_words, 1024);  // a stage is one word per lane
  EXPECT_EQ(bulk.shared_bytes, 8u * 1024 * 16);
  // Fewer tiles than resident CTAs: a CTA per tile, none idle.
  EXPECT_EQ(read_launch({ReadVariant::kBulk, 2, 256}, 4096 * 3, 1000).grid, 3u);
}

TEST(ReadInflight, LaunchesRefuseWhatTheKernelsCannotRead) {
  const ReadConfig c{ReadVariant::kResident, 1, 256};
  for (int64_t bytes : {int64_t(0), int64_t(8), int64_t(-16), int64_t(4100)})
    EXPECT_THROW(read_launch(c, bytes, 10), std::invalid_argument) << bytes;
  EXPECT_THROW(read_launch(c, 4096, 0), std::invalid_argument);
  EXPECT_THROW(read_launch({ReadVariant::kBulk, 1, 256}, 4096, 0), std::invalid_argument);
  EXPECT_NO_THROW(read_launch({ReadVariant::kLoads, 1, 256}, 4096, 0));  // no resident grid
  // 2^31 tiles of 32 lanes: beyond a grid.
  EXPECT_THROW(read_launch({ReadVariant::kLoads, 1, 32}, int64_t(1) << 40, 0),
               std::invalid_argument);
  EXPECT_THROW(read_launch({ReadVariant::kLoads, 5, 256}, 4096, 0), std::invalid_argument);
}

TEST(ReadInflight, BytesInFlightPerSm) {
  // The read row at full occupancy: 8 CTAs of 256 lanes, a 16-byte load each.
  EXPECT_EQ(read_bytes_in_flight_per_sm({ReadVariant::kLoads, 1, 256}, 8), 32768);
  EXPECT_EQ(read_bytes_in_flight_per_sm({ReadVariant::kResident, 4, 512}, 4), 131072);
  EXPECT_EQ(read_bytes_in_flight_per_sm({ReadVariant::kBulk, 8, 1024}, 1), 131072);
}

// The numbers of PERF_NOTES' "Bytes in flight per SM": the measured ceilings over 132 SMs.
TEST(ReadInflight, LittlesLawForTheH100AndH200) {
  EXPECT_NEAR(bytes_in_flight_needed_per_sm(3100, 132, 600), 14091, 1);
  EXPECT_NEAR(bytes_in_flight_needed_per_sm(3100, 132, 800), 18788, 1);
  EXPECT_NEAR(bytes_in_flight_needed_per_sm(4541, 132, 600), 20641, 1);
  EXPECT_NEAR(bytes_in_flight_needed_per_sm(4541, 132, 800), 27521, 1);
  // 2048 lanes per SM with one load each hold 32 KB: enough for either part at 800 ns if they
  // held it all the time; 1024 lanes need two.
  EXPECT_EQ(loads_per_lane_for(27521, 2048), 1);
  EXPECT_EQ(loads_per_lane_for(27521, 1024), 2);
  EXPECT_EQ(loads_per_lane_for(100000, 1024), 8);
  EXPECT_EQ(loads_per_lane_for(1e9, 2048), 8);  // none suffices: the largest
}

TEST(ReadInflight, SweepShapesReadEachByteCountOnce) {
  const auto shapes = sweep_shapes({"qwen2.5-7b", "qwen2.5-0.5b"});
  ASSERT_EQ(shapes.size(), 4u);
  EXPECT_EQ(shapes[0].name, "qwen2.5-7b/q+o");
  EXPECT_EQ(shapes[1].name, "qwen2.5-7b/k+v");
  EXPECT_EQ(shapes[2].name, "qwen2.5-7b/gate+up+down");
  EXPECT_EQ(shapes[2].bytes, int64_t(18944) * 3584 / 256 * 144);
  EXPECT_EQ(shapes[2].n, 18944);
  // qwen2.5-0.5b: only down's k (4864) is a multiple of 256.
  EXPECT_EQ(shapes[3].name, "qwen2.5-0.5b/down");
  EXPECT_EQ(ceiling_shape_name(int64_t(4) << 30), "ceiling-4GiB");
  EXPECT_EQ(ceiling_shape_name(int64_t(512) << 20), "ceiling-512MiB");
}

SweepResult two_row_result() {
  SweepResult r;
  r.device = "NVIDIA \"H200\" (sm_90, 132 SMs, 60 MiB L2)";
  r.sms = 132;
  r.ceiling_gbps = 4000;
  r.ceiling_end_gbps = 3990;
  r.rows.push_back({"read-row", 1, 256, "qwen2.5-7b/gate+up+down", 40000000, "batch", 20, 32768});
  r.rows.push_back({"bulk", 4, 256, "qwen2.5-7b/gate+up+down", 40000000, "batch", 12.5, 131072});
  return r;
}

TEST(ReadInflight, SweepCsvHasTheAskedColumns) {
  std::ostringstream out;
  write_sweep_csv(out, two_row_result());
  std::istringstream lines(out.str());
  std::string header, row;
  std::getline(lines, header);
  EXPECT_EQ(header, std::string(kSweepCsvHeader));
  EXPECT_EQ(
      header.rfind("variant,u,threads,shape,bytes,us,gbps,pct_ceiling,ceiling_gbps,device", 0), 0u);
  std::getline(lines, row);
  // 40 MB in 20 us: 2000 GB/s, 50% of 4000.
  EXPECT_EQ(row,
            "read-row,1,256,qwen2.5-7b/gate+up+down,40000000,20.000,2000.0,50.00,4000.0,"
            "\"NVIDIA \"\"H200\"\" (sm_90, 132 SMs, 60 MiB L2)\",batch,32768");
}

TEST(ReadInflight, SweepMarkdownMarksTheBestReaderPerShape) {
  std::ostringstream out;
  write_sweep_markdown(out, two_row_result());
  const std::string md = out.str();
  EXPECT_NE(md.find("## batch timing"), std::string::npos);
  EXPECT_EQ(md.find("## launch timing"), std::string::npos);  // no rows
  EXPECT_NE(md.find("| read-row/u1/t256 | 32 KB | 50.0 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| bulk/u4/t256 | 128 KB | **80.0** |"), std::string::npos) << md;
  EXPECT_NE(md.find("18 KB per SM in flight at 600 ns"), std::string::npos) << md;
}

}  // namespace
}  // namespace qgemv::experiment
