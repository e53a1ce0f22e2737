// Launch specs of external kernels: what parses, what each mistake says, and the formulas.
#include "harness/external/launch_spec.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "harness/external/driver_api.h"
#include "harness/external/nvrtc_compiler.h"

namespace qgemv {
namespace {

TEST(LaunchSpec, InlineAndFileFormsParseAlike) {
  const LaunchSpec a =
      parse_launch_spec("input=q8_1; threads=128 ;grid=cdiv(n,4);params=w,x,y,n,k");
  EXPECT_EQ(a.input, Activation::kQ8_1);
  EXPECT_EQ(a.threads, 128);
  EXPECT_EQ(a.rounding_extra, 16);  // the Q8_1 default
  // f32 input quantized in the kernel rounds like the Q8_1 kernels, not like the f32 ones.
  EXPECT_EQ(parse_launch_spec("input=f32;arithmetic=q8_1_in_kernel;threads=32;rows_per_cta=1;"
                              "params=w,x,y,k")
                .rounding_extra,
            16);
  EXPECT_EQ(parse_launch_spec("input=f32;threads=32;rows_per_cta=1;params=w,x,y,k").rounding_extra,
            32);
  ASSERT_EQ(a.params.size(), 5u);
  EXPECT_EQ(a.params[3], KernelParam::kN);
  const std::string file = ::testing::TempDir() + "/spec.txt";
  std::ofstream(file) << "# a comment\ninput = f32\nthreads=32\nrows_per_cta=3  # three\n"
                         "params=w,x,y,k,status\nrounding=40\nname=mine\ndependent_launch=1\n";
  const LaunchSpec b = parse_launch_spec(file);
  EXPECT_EQ(b.input, Activation::kF32);
  EXPECT_EQ(eval_formula(b.grid, 7, 256), 3);  // cdiv(7, 3)
  EXPECT_EQ(b.rounding_extra, 40);
  EXPECT_EQ(b.name, "mine");
  EXPECT_TRUE(b.dependent_launch);
  EXPECT_EQ(b.params.back(), KernelParam::kStatus);
  std::remove(file.c_str());
}

TEST(LaunchSpec, EachMistakeIsNamed) {
  const std::string ok = "input=f32;threads=32;rows_per_cta=1;params=w,x,y,n,k";
  auto says = [](const std::string& spec, const std::string& what) {
    try {
      parse_launch_spec(spec);
      ADD_FAILURE() << "accepted: " << spec;
    } catch (const LaunchSpecError& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  says("threads=32;rows_per_cta=1;params=w,x,y", "missing input");
  says("input=f16;threads=32;rows_per_cta=1;params=w,x,y", "f32 or q8_1");
  says("input=f32;threads=2048;rows_per_cta=1;params=w,x,y", "threads=2048");
  says("input=f32;threads=32;params=w,x,y", "rows_per_cta");
  says("input=f32;threads=32;rows_per_cta=1;params=w,x", "'y' is missing");
  says("input=f32;threads=32;rows_per_cta=1;params=w,x,y,x", "given twice");
  says("input=f32;threads=32;rows_per_cta=1;params=w,x,y,q", "unknown parameter 'q'");
  says("input=f32;threads=32;grid=cdiv(n,;params=w,x,y", "formula");
  says(ok + ";colour=red", "unknown entry 'colour'");
  says(ok + ";arithmetic=f16", "f32, q8_1 or q8_1_in_kernel");
  says("input=q8_1;threads=32;rows_per_cta=1;params=w,x,y;arithmetic=f32", "checked as q8_1");
  EXPECT_EQ(parse_launch_spec(ok + ";arithmetic=q8_1_in_kernel").arithmetic,
            Arithmetic::kQ8_1InKernel);
  EXPECT_EQ(parse_launch_spec(ok).arithmetic, Arithmetic::kF32);
  says(ok + ";threads", "key=value");
  EXPECT_NO_THROW(parse_launch_spec(ok));
}

TEST(LaunchSpec, Formulas) {
  EXPECT_EQ(eval_formula("cdiv(n, 4)", 9, 256), 3);
  EXPECT_EQ(eval_formula("n * (k / 256) + 1", 3, 512), 7);
  EXPECT_EQ(eval_formula("max(min(n, 8), 2) - -1", 100, 256), 9);
  EXPECT_EQ(eval_formula("k % 1000", 1, 4096), 96);
  EXPECT_THROW(eval_formula("n / 0", 1, 256), LaunchSpecError);
  EXPECT_THROW(eval_formula("n +", 1, 256), LaunchSpecError);
  EXPECT_THROW(eval_formula("m", 1, 256), LaunchSpecError);
  EXPECT_THROW(eval_formula("99999999999999999999", 1, 256), LaunchSpecError);
  EXPECT_EQ(eval_formula("9223372036854775807", 1, 256), INT64_MAX);
  EXPECT_EQ(eval_formula("cdiv(0 - 4, 2)", 1, 256), -2);
}

// A formula past 64 bits is the spec's error, never wrapped (a wrapped grid can look valid).
TEST(LaunchSpec, FormulasThatOverflowAreRefused) {
  for (const char* f : {"n * n * n * n * n * n", "k * k * k * k * k + 1", "0 - n * n * n * n * n",
                        "(0 - 9223372036854775807 - 1) / (0 - 1)", "-(0 - 9223372036854775807 - 1)",
                        "cdiv(n * n * n * n * n, 2)"}) {
    try {
      eval_formula(f, 8192, 65536);
      ADD_FAILURE() << f << " evaluated without an error";
    } catch (const LaunchSpecError& e) {
      EXPECT_NE(std::string(e.what()).find("overflows 64 bits"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(eval_formula("n * n * n * n", 8192, 256), int64_t(1) << 52);
}

// NVRTC needs no GPU: the test kernel compiles here, and a broken one fails with NVRTC's log.
TEST(Nvrtc, CompilesTheTestKernelAndShowsTheLogOfABrokenOne) {
  const std::string dir = std::string(QGEMV_SOURCE_DIR) + "/properties/gpu/external/";
  std::ifstream in(dir + "warp_per_row_gemv.cu");
  const std::string source((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(source.empty());
  CompiledKernel c;
  try {
    c = nvrtc_compile(dir + "warp_per_row_gemv.cu", source, "warp_per_row_q4k", 90);
  } catch (const ExternalKernelError& e) {
    if (std::string(e.what()).find("not found") != std::string::npos)
      GTEST_SKIP() << e.what();  // no CUDA toolkit's NVRTC on this machine
    throw;
  }
  EXPECT_GT(c.cubin.size(), 1000u);
  EXPECT_EQ(c.lowered_entry, "warp_per_row_q4k");
  try {
    nvrtc_compile("broken.cu", "extern \"C\" __global__ void k() { undeclared_name = 1; }", "k",
                  90);
    ADD_FAILURE() << "a broken kernel compiled";
  } catch (const ExternalKernelError& e) {
    EXPECT_NE(std::string(e.what()).find("undeclared_name"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace qgemv
