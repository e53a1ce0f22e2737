// The code identities a saved profile records (sass.csv, the JSON's "sass"), read back, and
// taken from a binary for ncu's rows; profiles saved before them still load, every kernel's
// code unknown.
#include "harness/profile/sass_record.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "harness/io/read_whole_file.h"
#include "harness/profile/counter_gate.h"
#include "harness/profile/profile_dir.h"
#include "harness/profile/profile_json_reader.h"

namespace qgemv::profile {
namespace {

namespace fs = std::filesystem;

const std::string kProbes = std::string(QGEMV_SOURCE_DIR) + "/properties/fixtures/ncu-probes";

class SavedCopy : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("qgemv-sass-record-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    fs::copy(kProbes, dir_, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  fs::path dir_;
};

TEST_F(SavedCopy, AFolderWithoutSassCsvLoadsWithEveryIdentityUnknown) {
  const ProfileReport r = read_profile_dir(dir_.string()).report;
  ASSERT_EQ(r.kernels.size(), 3u);
  for (const KernelCounters& c : r.kernels) EXPECT_EQ(c.sass, "") << c.kernel;
}

TEST_F(SavedCopy, SassCsvGivesEachKernelItsIdentity) {
  const ProfileReport before = read_profile_dir(dir_.string()).report;
  std::vector<FunctionCode> functions;
  functions.push_back({before.kernels[0].kernel, {"sm_90:00000000000000aa", ""}});
  functions.push_back({before.kernels[2].kernel, {"", "compressed"}});
  write("sass.csv", sass_csv(functions));
  const ProfileReport r = read_profile_dir(dir_.string()).report;
  EXPECT_EQ(r.kernels[0].sass, "sm_90:00000000000000aa");
  EXPECT_EQ(r.kernels[1].sass, "") << "not listed";
  EXPECT_EQ(r.kernels[2].sass, "") << "listed as unknown";
  // And through the JSON export: the gate reads either.
  const ProfileReport back = profile_from_json(profile_json(r));
  EXPECT_EQ(back.kernels[0].sass, "sm_90:00000000000000aa");
  EXPECT_EQ(back.kernels[1].sass, "");
  const CounterGateReport g = compare_counters(r, back, CounterGateLimits{});
  EXPECT_EQ(g.kernels[0].outcome, KernelOutcome::kSameSass);
  EXPECT_EQ(g.kernels[1].code, CodeMatch::kUnknown);

  write("sass.csv", "function,sass\nx,y\n");
  try {
    read_profile_dir(dir_.string());
    ADD_FAILURE() << "a malformed sass.csv was read";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("sass.csv: the first line must be function,sass,note"),
              std::string::npos)
        << e.what();
  }
}

// JSON written before "sass" existed has no such key: it loads, every identity unknown.
TEST(SassRecord, JsonWithoutIdentitiesLoads) {
  std::string json = profile_json(read_profile_dir(kProbes).report);
  for (size_t at; (at = json.find("\"sass\": null, ")) != std::string::npos;)
    json.erase(at, std::string("\"sass\": null, ").size());
  ASSERT_EQ(json.find("\"sass\""), std::string::npos);
  const ProfileReport r = profile_from_json(json);
  ASSERT_EQ(r.kernels.size(), 3u);
  EXPECT_EQ(r.kernels[0].sass, "");
}

TEST(SassRecord, CsvReadsBackNamesWithCommasAndQuotes) {
  const std::vector<FunctionCode> functions = {
      {"void k<1, \"x\">(int, float)", {"sm_90:0123456789abcdef", ""}},
      {"plain", {"", "no one entry of the binary's sm_90 cubins has this name"}}};
  const auto back = parse_sass_csv(sass_csv(functions));
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back.at("void k<1, \"x\">(int, float)"), "sm_90:0123456789abcdef");
  EXPECT_EQ(back.at("plain"), "");
  EXPECT_THROW(parse_sass_csv("function,sass,note\na,b\n"), std::runtime_error);
  EXPECT_THROW(parse_sass_csv(""), std::runtime_error);
}

TEST(SassRecord, TheArchitectureIsNcus) {
  const auto h100 = parse_ncu_raw_csv(read_whole_file(kProbes + "/ncu.csv"));
  ASSERT_FALSE(h100.empty());
  EXPECT_EQ(profiled_arch(h100[0]), 90);
  const auto rows = parse_ncu_raw_csv(
      "\"ID\",\"Kernel Name\",\"CC\"\n\"\",\"\",\"\"\n\"0\",\"k(int)\",\"9.0\"\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(profiled_arch(rows[0]), 90);
  NcuKernelRow r;
  r.text["CC"] = "12.0";
  EXPECT_EQ(profiled_arch(r), 120);
  r.text["CC"] = "n/a";
  EXPECT_EQ(profiled_arch(r), 0);
  r.metrics["device__attribute_compute_capability_major"] = 8;
  r.metrics["device__attribute_compute_capability_minor"] = 9;
  EXPECT_EQ(profiled_arch(r), 89);
}

// ncu's rows for kernels of this build's paths library, identified in it; a binary that cannot
// be read, or no architecture, leaves every kernel unknown and says why, never throwing.
TEST(SassRecord, FunctionsAreIdentifiedInTheBinary) {
  const auto row = [](const std::string& kernel, const std::string& cc) {
    NcuKernelRow r;
    r.kernel = kernel;
    r.text["CC"] = cc;
    return r;
  };
  const std::string q8 =
      "void unnamed>::gemv_mwv_kernel<4, 64, unnamed>::Q8Input>(const BlockQ4K *, T3, float *, "
      "int, int)";
  const std::vector<NcuKernelRow> rows = {row(q8, "9.0"), row("elsewhere_kernel(int)", "9.0"),
                                          row(q8, "9.0")};
  const auto got = identify_functions(rows, QGEMV_PATHS_LIBRARY);
  ASSERT_EQ(got.size(), 2u) << "one line per function";
  EXPECT_TRUE(got[0].code.identity.starts_with("sm_90:")) << got[0].code.why_unknown;
  EXPECT_EQ(got[1].code.identity, "");
  EXPECT_NE(got[1].code.why_unknown, "");

  const auto unreadable = identify_functions(rows, "/nonexistent/qgemv");
  EXPECT_EQ(unreadable[0].code.identity, "");
  EXPECT_NE(unreadable[0].code.why_unknown.find("/nonexistent/qgemv: cannot open"),
            std::string::npos)
      << unreadable[0].code.why_unknown;
  const auto no_arch = identify_functions({row(q8, "")}, QGEMV_PATHS_LIBRARY);
  EXPECT_EQ(no_arch[0].code.why_unknown, "ncu gave no compute capability");
}

}  // namespace
}  // namespace qgemv::profile
