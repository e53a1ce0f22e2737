// Launch specs of external kernels: what parses, what each mistake says, and the formulas.
#include "harness/external/launch_spec.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <tuple>

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

// What a spec error says, or a failure if the spec was accepted.
std::string error_of(const std::string& spec) {
  try {
    parse_launch_spec(spec);
  } catch (const LaunchSpecError& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted: " << spec;
  return "";
}

std::string temp_file(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

// The documented inline form, written on one line of a file, is the same spec; so is a file
// that mixes both separators.
TEST(LaunchSpec, AFileMayHoldTheInlineFormOnOneLine) {
  const std::string inline_spec = "input=q8_1;threads=64;grid=cdiv(n,2);params=w,x,y,n,k;name=a";
  const std::string one_line = temp_file("one_line.spec", inline_spec + "\n");
  const std::string mixed = temp_file("mixed.spec",
                                      "input=q8_1; threads=64  # a comment; not=an entry\n"
                                      "grid=cdiv(n,2);params=w,x,y,n,k\nname=a\n");
  EXPECT_TRUE(launch_spec_names_file(one_line));
  EXPECT_FALSE(launch_spec_names_file(inline_spec));
  const std::string want = format_launch_spec(parse_launch_spec(inline_spec));
  EXPECT_EQ(format_launch_spec(parse_launch_spec(one_line)), want);
  EXPECT_EQ(format_launch_spec(parse_launch_spec(mixed)), want);
  std::remove(one_line.c_str());
  std::remove(mixed.c_str());
}

TEST(LaunchSpec, AMissingOrEmptySpecFileIsNamedAsSuch) {
  const std::string missing = ::testing::TempDir() + "/no_such.spec";
  EXPECT_TRUE(launch_spec_names_file(missing));
  EXPECT_EQ(error_of(missing), missing +
                                   ": cannot open: No such file or directory (an inline spec is "
                                   "key=value entries separated by ';')");
  const std::string empty = temp_file("empty.spec", "# only a comment\n\n");
  EXPECT_EQ(error_of(empty), empty + ": holds no key=value entries");
  std::remove(empty.c_str());
  EXPECT_NE(error_of(::testing::TempDir()).find("Is a directory"), std::string::npos);
  EXPECT_NE(error_of("").find("empty"), std::string::npos);
}

// A key given twice is refused, whichever value was meant, as a params entry given twice is.
TEST(LaunchSpec, EachKeyMayBeGivenOnce) {
  const std::string ok = "input=f32;threads=32;rows_per_cta=1;params=w,x,y,n,k";
  EXPECT_EQ(error_of(ok + ";threads=64"),
            "'threads=64': threads was already given by 'threads=32'; each key may be given once");
  EXPECT_NE(error_of(ok + ";grid=n").find("the grid was already given by 'rows_per_cta=1'"),
            std::string::npos);
  EXPECT_NE(error_of(ok + ";input=q8_1").find("input was already given"), std::string::npos);
  const std::string file = temp_file("twice.spec",
                                     "input=f32\nthreads=32\n\nrows_per_cta=1\n"
                                     "params=w,x,y\nrounding=3;rounding=4\n");
  EXPECT_EQ(error_of(file), file +
                                ":6: 'rounding=4': rounding was already given by "
                                "'rounding=3'; each key may be given once");
  std::remove(file.c_str());
  // A file's errors name its line; what no line decides names the file.
  const std::string partial = temp_file("partial.spec", "input=f32\nthreads=2048\n");
  EXPECT_EQ(error_of(partial), partial + ":2: threads=2048: expects an integer from 1 to 1024");
  std::ofstream(partial) << "input=f32\n";
  EXPECT_EQ(error_of(partial), partial + ": missing threads=N");
  std::remove(partial.c_str());
}

TEST(LaunchSpec, CompileOptionsAreDefinesAndIncludeFolders) {
  const std::string ok = "input=f32;threads=32;rows_per_cta=1;params=w,x,y,n,k";
  const LaunchSpec s = parse_launch_spec(ok + ";compile_options= -DROWS=4  -Iinclude -DFAST ");
  EXPECT_EQ(s.compile_options, (std::vector<std::string>{"-DROWS=4", "-Iinclude", "-DFAST"}));
  EXPECT_TRUE(parse_launch_spec(ok).compile_options.empty());
  EXPECT_NE(error_of(ok + ";compile_options=-O3").find("'-O3': expects -DNAME"), std::string::npos);
  EXPECT_NE(error_of(ok + ";compile_options=-I include").find("'-I': expects"), std::string::npos);
  EXPECT_NE(error_of(ok + ";compile_options=").find("expects -D or -I options"), std::string::npos);
}

// What mutate hands its workers: a spec written back inline reads as the same spec.
RC_GTEST_PROP(LaunchSpec, WrittenInlineReadsBackTheSame, ()) {
  LaunchSpec s;
  s.input = *rc::gen::element(Activation::kF32, Activation::kQ8_1);
  s.arithmetic = s.input == Activation::kQ8_1
                     ? Arithmetic::kQ8_1
                     : *rc::gen::element(Arithmetic::kF32, Arithmetic::kQ8_1InKernel);
  s.threads = *rc::gen::inRange(1, 1025);
  s.grid = *rc::gen::element<std::string>("cdiv(n,4)", "n * (k / 256) + 1", "max(n, 2)");
  s.shared = *rc::gen::element<std::string>("0", "k * 4", "min(k, 1024) * 2");
  s.params = {KernelParam::kWeights, KernelParam::kInput, KernelParam::kOutput};
  if (*rc::gen::arbitrary<bool>()) s.params.push_back(KernelParam::kN);
  s.params.push_back(KernelParam::kK);
  if (*rc::gen::arbitrary<bool>()) s.params.push_back(KernelParam::kStatus);
  s.rounding_extra = *rc::gen::inRange<int64_t>(0, 1 << 30);
  s.dependent_launch = *rc::gen::arbitrary<bool>();
  s.name = *rc::gen::element<std::string>("", "mine", "mutant_17");
  if (*rc::gen::arbitrary<bool>()) s.compile_options = {"-DROWS=4", "-Iinc"};
  const std::string text = format_launch_spec(s);
  RC_LOG() << text << "\n";
  const LaunchSpec back = parse_launch_spec(text);
  RC_ASSERT(format_launch_spec(back) == text);
  auto fields = [](const LaunchSpec& x) {
    return std::tie(x.input, x.arithmetic, x.threads, x.grid, x.shared, x.params, x.rounding_extra,
                    x.dependent_launch, x.name, x.compile_options);
  };
  RC_ASSERT(fields(back) == fields(s));
}

// The parser recurses once per level: nesting is capped with an error, never a stack overflow.
TEST(LaunchSpec, DeeplyNestedFormulasAreRefused) {
  const std::string deep = std::string(30000, '(') + "n" + std::string(30000, ')');
  for (const std::string& f :
       {deep, std::string(50000, '-') + "n",
        std::string(20000, '-') + "(" + std::string(20000, '-') + "n)", "cdiv(" + deep + ", 2)"}) {
    try {
      eval_formula(f, 8, 256);
      ADD_FAILURE() << "a formula " << f.size() << " characters deep evaluated";
    } catch (const LaunchSpecError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("nested more than 100 levels deep"), std::string::npos) << what;
      EXPECT_LT(what.size(), 200u);  // the formula is not repeated whole
    }
  }
  const std::string spec = "input=f32;threads=32;params=w,x,y;grid=" + deep;
  EXPECT_NE(error_of(spec).find("nested more than"), std::string::npos);
  // As deep as the cap allows still evaluates.
  const int levels = kMaxFormulaDepth - 1;
  EXPECT_EQ(eval_formula(std::string(levels, '(') + "n" + std::string(levels, ')'), 8, 256), 8);
  EXPECT_EQ(eval_formula(std::string(levels, '-') + "n", 8, 256), levels % 2 ? -8 : 8);
  EXPECT_THROW(
      eval_formula(std::string(levels + 1, '(') + "n" + std::string(levels + 1, ')'), 8, 256),
      LaunchSpecError);
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

// NVRTC with the toolkit's headers, as nearly every quantized kernel needs (cuda_fp16.h), and
// the spec's -D options.
constexpr const char* kHalfKernel = R"(#include <cuda_fp16.h>
#ifndef SCALE
#error SCALE is not defined
#endif
extern "C" __global__ void half_scale(const __half* x, float* y) {
  y[threadIdx.x] = __half2float(x[threadIdx.x]) * SCALE;
}
)";

// Sets an environment variable for a scope, and puts back what was there.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    value ? ::setenv(name, value, 1) : ::unsetenv(name);
  }
  ~ScopedEnv() { old_ ? ::setenv(name_, old_->c_str(), 1) : ::unsetenv(name_); }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(Nvrtc, CompilesAKernelThatIncludesCudaFp16WithADefine) {
  CompiledKernel c;
  try {
    c = nvrtc_compile("half.cu", kHalfKernel, "half_scale", 90, {"-DSCALE=3.0f"});
  } catch (const ExternalKernelError& e) {
    if (std::string(e.what()).find("not found") != std::string::npos) GTEST_SKIP() << e.what();
    throw;
  }
  EXPECT_EQ(c.lowered_entry, "half_scale");
  EXPECT_GT(c.cubin.size(), 1000u);
  // The define is what the kernel compiles with: without it, its #error stops NVRTC.
  try {
    nvrtc_compile("half.cu", kHalfKernel, "half_scale", 90);
    ADD_FAILURE() << "compiled without SCALE";
  } catch (const ExternalKernelError& e) {
    EXPECT_NE(std::string(e.what()).find("SCALE is not defined"), std::string::npos) << e.what();
  }
  // The GPU tests' kernel, which reads its scales through cuda_fp16.h when asked to.
  const std::string file =
      std::string(QGEMV_SOURCE_DIR) + "/properties/gpu/external/warp_per_row_gemv.cu";
  std::ifstream in(file);
  const std::string source((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(nvrtc_compile(file, source, "warp_per_row_q4k", 90, {"-DWITH_CUDA_FP16"}).lowered_entry,
            "warp_per_row_q4k");
  // Without CUDA_HOME or CUDA_PATH, the headers come from the toolkit NVRTC was loaded from.
  const ScopedEnv home("CUDA_HOME", nullptr), path("CUDA_PATH", nullptr);
  EXPECT_NO_THROW(nvrtc_compile("half.cu", kHalfKernel, "half_scale", 90, {"-DSCALE=2"}));
}

TEST(Nvrtc, ToolkitHeadersComeFromCudaHomeFirst) {
  namespace fs = std::filesystem;
  const fs::path home = fs::path(::testing::TempDir()) / "fake-cuda-home";
  fs::create_directories(home / "include" / "cccl");
  std::ofstream(home / "include" / "cuda_fp16.h") << "// a stand-in\n";
  {
    const ScopedEnv h("CUDA_HOME", home.c_str()), p("CUDA_PATH", "/nonexistent-cuda-path");
    const std::vector<std::string> candidates = toolkit_include_candidates();
    ASSERT_GE(candidates.size(), 3u);
    EXPECT_EQ(candidates[0], (home / "include").string());
    EXPECT_EQ(candidates[1], "/nonexistent-cuda-path/include");
    EXPECT_EQ(candidates.back(), "/usr/local/cuda/include");
    EXPECT_EQ(toolkit_include_dirs(),
              (std::vector<std::string>{(home / "include").string(),
                                        (home / "include" / "cccl").string()}));
  }
  {
    // A folder without cuda_fp16.h is passed over.
    const ScopedEnv h("CUDA_HOME", "/nonexistent-cuda-home");
    const std::vector<std::string> dirs = toolkit_include_dirs();
    for (const std::string& d : dirs) EXPECT_NE(d, "/nonexistent-cuda-home/include");
    EXPECT_EQ(toolkit_include_candidates()[0], "/nonexistent-cuda-home/include");
  }
  fs::remove_all(home);
}

}  // namespace
}  // namespace qgemv
