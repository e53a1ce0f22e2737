// Loading a paths library (harness/external/paths_library.h): the rows of a good library become
// prefixed paths whose functions call into it, every defect is refused with a message naming
// the file and the defect before anything is registered, and this build's own
// libqgemv_paths.so exports the built-in table. No GPU: the fake libraries' launches write host
// memory, and the real library is only read.
#include "harness/external/paths_library.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "harness/executor/cuda_check.h"
#include "kernels/launch/launch.h"
#include "kernels/launch/launch_config.h"
#include "kernels/launch/path_registry.h"

namespace qgemv {
namespace {

std::string fake(const std::string& name) {
  return std::string(QGEMV_FAKE_PATHS_DIR) + "/" + name + ".so";
}

// The message of the PathsLibraryError that loading `file` throws, or "" when it loads.
std::string load_error(const std::string& file, const std::string& prefix) {
  try {
    load_paths_library(file, prefix);
  } catch (const PathsLibraryError& e) {
    return e.what();
  }
  return "";
}

TEST(PathsLibrary, RegistersItsRowsUnderThePrefix) {
  const PathsLibrary& lib = load_paths_library(fake("good"), "fake1:");
  EXPECT_EQ(lib.library(), "fake");
  EXPECT_EQ(lib.revision(), "rev-fake");
  ASSERT_EQ(lib.paths().size(), 2u);
  const Path alpha = lib.paths()[0], beta = lib.paths()[1];
  EXPECT_EQ(alpha->name, "fake1:alpha");
  EXPECT_EQ(find_path("fake1:beta"), beta);
  EXPECT_EQ(alpha->input, Activation::kF32);
  EXPECT_EQ(alpha->arithmetic, Arithmetic::kF32);
  EXPECT_EQ(alpha->rounding_extra, 16);
  EXPECT_FALSE(alpha->takes_outputs_per_block);
  EXPECT_EQ(beta->input, Activation::kQ8_1);
  EXPECT_EQ(beta->arithmetic, Arithmetic::kQ8_1InKernel);
  EXPECT_EQ(beta->rounding_extra, 24);
  EXPECT_TRUE(beta->takes_outputs_per_block);
  EXPECT_STREQ(gemv_kernel_name(alpha, 8192), "fake_long");
  EXPECT_STREQ(gemv_kernel_name(beta, 256), "fake_short");
  // The library's shape where it gives one, none (for messages only) where it does not.
  const LaunchShape s = gemv_launch_shape(beta, 64, 256, 4);
  EXPECT_EQ(s.grid, 16u);
  EXPECT_EQ(s.block, 128u);
  EXPECT_EQ(gemv_launch_shape(alpha, 64, 256, 1).grid, 0u);
}

TEST(PathsLibrary, LaunchesCallIntoTheLibraryWithTheArguments) {
  const PathsLibrary& lib = load_paths_library(fake("good"), "fake2:");
  float y[1] = {0};
  const auto launch = [&](Path p, int64_t n) {
    const GemvLaunch g{p, nullptr, nullptr, y, n, 512, 1, nullptr};
    p->launch(g, {}, nullptr);
  };
  launch(lib.paths()[0], 5);
  EXPECT_EQ(y[0], 517.0f);
  launch(lib.paths()[1], 6);
  EXPECT_EQ(y[0], 518.5f);  // the second row's context reached its launch
  // The library's launch error, which this runtime's cudaGetLastError cannot see, is thrown.
  try {
    launch(lib.paths()[0], 13);
    FAIL() << "a failing launch was not reported";
  } catch (const CudaError& e) {
    EXPECT_EQ(int(e.code), 700);
    const std::string m = e.what();
    EXPECT_NE(m.find("fake illegal address (700)"), std::string::npos) << m;
    EXPECT_NE(m.find("fake2:alpha"), std::string::npos) << m;
    EXPECT_NE(m.find("good.so"), std::string::npos) << m;
  }
  EXPECT_NO_THROW(lib.prepare(0));
  try {
    lib.prepare(7);
    FAIL() << "a failing prepare was not reported";
  } catch (const CudaError& e) {
    EXPECT_NE(std::string(e.what()).find("fake invalid device (101)"), std::string::npos)
        << e.what();
  }
}

TEST(PathsLibrary, RefusesToRegisterANameTwice) {
  load_paths_library(fake("good"), "fake3:");
  const std::string m = load_error(fake("good"), "fake3:");
  EXPECT_NE(m.find("'fake3:alpha' exists already"), std::string::npos) << m;
  EXPECT_EQ(load_error(fake("good"), "fake4:"), "");  // another prefix is another set of paths
  EXPECT_NE(load_error(fake("good"), "a,b:").find("path prefix"), std::string::npos);
}

struct Defect {
  const char* file;
  const char* message;
};

class PathsLibraryRefuses : public ::testing::TestWithParam<Defect> {};

TEST_P(PathsLibraryRefuses, NamingTheFileAndTheDefect) {
  const Defect d = GetParam();
  const std::string file = fake(d.file);
  const std::string m = load_error(file, std::string(d.file) + ":");
  EXPECT_NE(m.find(file + ": "), std::string::npos) << m;
  EXPECT_NE(m.find(d.message), std::string::npos) << m;
  // Nothing of a refused library is registered.
  EXPECT_FALSE(find_path(std::string(d.file) + ":alpha"));
  EXPECT_FALSE(find_path(std::string(d.file) + ":beta"));
}

INSTANTIATE_TEST_SUITE_P(
    EveryDefect, PathsLibraryRefuses,
    ::testing::Values(
        Defect{"missing", "no such file"},
        Defect{"wrong_version", "paths ABI version 99, but this qgemv reads version 1"},
        Defect{"no_version", "not a qgemv paths library"},
        Defect{"no_table", "exports qgemv_paths_abi_version but not qgemv_paths_get_table"},
        Defect{"null_table", "returned no table"}, Defect{"no_launch", "no launch function"},
        Defect{"duplicate_name", "repeats the name 'alpha'"},
        Defect{"comma_in_name", "row 0 has a name that is empty or holds a comma"},
        Defect{"bad_input", "row 0 has input 3"}),
    [](const auto& info) { return std::string(info.param.file); });

TEST(PathsLibrary, RefusesAFileThatIsNotASharedLibrary) {
  const std::string file = (std::filesystem::temp_directory_path() /
                            ("qgemv-not-a-library-" + std::to_string(::getpid()) + ".so"))
                               .string();
  std::ofstream(file) << "not an ELF file\n";
  const std::string m = load_error(file, "text:");
  std::filesystem::remove(file);
  EXPECT_NE(m.find("cannot be loaded as a shared library"), std::string::npos) << m;
}

// This build's library holds the built-in table: the same rows, in order, with the same
// kernels and launch shapes (without a GPU both sides derive shapes for an H100).
TEST(PathsLibrary, ThisBuildsLibraryExportsTheBuiltInTable) {
  const PathsLibrary& lib = load_paths_library(QGEMV_PATHS_LIBRARY, "own:");
  EXPECT_EQ(lib.library(), "qgemv");
  EXPECT_FALSE(lib.revision().empty());
  const auto table = builtin_table();
  ASSERT_EQ(lib.paths().size(), table.size());
  for (size_t i = 0; i < table.size(); ++i) {
    const Path mine(*table[i]), loaded = lib.paths()[i];
    SCOPED_TRACE(std::string(path_name(mine)));
    EXPECT_EQ(loaded->name, "own:" + std::string(mine->name));
    EXPECT_EQ(loaded->input, mine->input);
    EXPECT_EQ(loaded->arithmetic, mine->arithmetic);
    EXPECT_EQ(loaded->rounding_extra, mine->rounding_extra);
    EXPECT_EQ(loaded->takes_outputs_per_block, mine->takes_outputs_per_block);
    for (int64_t k : {int64_t(1536), int64_t(18944)}) {
      EXPECT_STREQ(gemv_kernel_name(loaded, k), gemv_kernel_name(mine, k));
      for (int64_t n : {int64_t(256), int64_t(18944)}) {
        const LaunchShape a = gemv_launch_shape(loaded, n, k, 4),
                          b = gemv_launch_shape(mine, n, k, 4);
        EXPECT_EQ(a.grid, b.grid) << n << " x " << k;
        EXPECT_EQ(a.block, b.block) << n << " x " << k;
      }
    }
  }
}

}  // namespace
}  // namespace qgemv
