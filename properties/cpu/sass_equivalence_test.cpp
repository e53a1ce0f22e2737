// Equivalence by SASS, decided on the CPU: mutants compiled for sm_90 exactly as `qgemv mutate`
// compiles them (compile_mutant), then compared with the unmutated kernel's code for the entry.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "harness/cubin/sass_fingerprint.h"
#include "harness/external/external_kernel.h"
#include "harness/mutate/mutant_compile.h"
#include "harness/mutate/mutants.h"

namespace qgemv {
namespace {

namespace fs = std::filesystem;

// `dead` never reaches the output (the compiler drops it); `s` is a shared array whose size
// no instruction depends on.
constexpr const char* kKernel =
    R"(extern "C" __global__ void scale(const float* x, float* y, int n) {
  __shared__ float s[64];
  const int i = blockIdx.x * 32 + threadIdx.x;
  const int dead = n * 3;
  s[threadIdx.x] = x[i];
  __syncthreads();
  if (i < n) y[i] = s[threadIdx.x ^ 1] * 2.0f;
}
)";

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? s : s.replace(at, from.size(), to);
}

class SassEquivalence : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("qgemv-sass-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    // Only its compile_options (none) reach the compiler.
    opt_.launch = "input=f32;threads=32;rows_per_cta=1;params=w,x,y,n,k";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Compiles `source` as mutant `id`; skips the test on a machine without the toolkit.
  CompiledMutant compile(const std::string& source, const std::string& entry, int id) {
    CompiledMutant c =
        compile_mutant(opt_, (dir_ / "k.cu").string(), source, entry, 90, dir_.string(), id);
    if (!c.ok && c.error.find("not found") != std::string::npos) skip_ = c.error;
    return c;
  }

  fs::path dir_;
  MutationOptions opt_;
  std::string skip_;
};

TEST_F(SassEquivalence, ADeadEditIsEquivalentAndAnArithmeticOneIsNot) {
  const CompiledMutant original = compile(kKernel, "scale", -1);
  if (!skip_.empty()) GTEST_SKIP() << skip_;  // no CUDA toolkit's NVRTC on this machine
  ASSERT_TRUE(original.ok) << original.error;
  const EntryCode code = entry_code_of_file(original.cubin_path, original.entry);
  EXPECT_EQ(code.symbol, "scale");

  // The mutant generator's own edits, as mutate makes them.
  const auto mutants = generate_mutants(kKernel);
  const auto find = [&](const std::string& after) -> const Mutant& {
    for (const Mutant& m : mutants)
      if (m.after.find(after) != std::string::npos) return m;
    ADD_FAILURE() << "no mutant makes " << after;
    return mutants.front();
  };
  const Mutant& dead = find("n / 3");
  const Mutant& arith = find("s[threadIdx.x ^ 1] / 2.0f");
  const CompiledMutant dead_c = compile(dead.source, "scale", dead.id);
  const CompiledMutant arith_c = compile(arith.source, "scale", arith.id);
  ASSERT_TRUE(dead_c.ok && arith_c.ok) << dead_c.error << arith_c.error;
  EXPECT_TRUE(same_code(code, dead_c)) << dead.after;
  EXPECT_FALSE(same_code(code, arith_c)) << arith.after;

  // A shrunk shared array changes no instruction here, yet overruns: it must run.
  const CompiledMutant shrunk = compile(replaced(kKernel, "s[64]", "s[63]"), "scale", 1000);
  ASSERT_TRUE(shrunk.ok) << shrunk.error;
  EXPECT_FALSE(same_code(code, shrunk));
  // A mutant that did not compile is never equivalent.
  EXPECT_FALSE(same_code(code, compile(replaced(kKernel, "2.0f;", "2.0f"), "scale", 1001)));
}

TEST_F(SassEquivalence, TheTestKernelIsEquivalentToItselfAndNotToAChangedShift) {
  const std::string file =
      std::string(QGEMV_SOURCE_DIR) + "/properties/gpu/external/warp_per_row_gemv.cu";
  std::ifstream in(file);
  const std::string source((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(source.empty());
  const CompiledMutant a = compile(source, "warp_per_row_q4k", -1);
  if (!skip_.empty()) GTEST_SKIP() << skip_;
  ASSERT_TRUE(a.ok) << a.error;
  const EntryCode code = entry_code_of_file(a.cubin_path, a.entry);
  // Compiling the same source again gives the same code: the comparison is deterministic.
  EXPECT_TRUE(same_code(code, compile(source, "warp_per_row_q4k", 1)));
  const auto mutants = generate_mutants(source);
  int changed = 0, compared = 0;
  for (const Mutant& m : mutants) {
    if (m.op != "shift" || compared == 3) continue;
    const CompiledMutant c = compile(m.source, "warp_per_row_q4k", m.id);
    if (!c.ok) continue;
    ++compared;
    changed += !same_code(code, c);
  }
  ASSERT_GT(compared, 0);
  EXPECT_EQ(changed, compared) << "a shift reversed in the dequantization left the code alone";
}

TEST(SassFingerprint, NamesTheEntryOrSaysWhyNot) {
  EXPECT_THROW(entry_code("not an ELF file at all, but long enough to have a header.........", "k"),
               std::runtime_error);
}

// nvcc-compiled files hold every instance: a mutant of code only another instance runs is
// equivalent for the measured one, and not for the instance that runs it.
constexpr const char* kTemplate = R"(template <int N>
__global__ void twice(const float* x, float* y) {
  if constexpr (N == 1) {
    y[threadIdx.x] = x[threadIdx.x] + 1.0f;
  } else {
    y[threadIdx.x] = x[threadIdx.x] + 2.0f;
  }
}
template __global__ void twice<1>(const float*, float*);
template __global__ void twice<2>(const float*, float*);
)";

TEST_F(SassEquivalence, WithNvccEachInstanceIsJudgedOnItsOwnCode) {
  if (!fs::exists(nvcc_path()) && nvcc_path() == "nvcc") GTEST_SKIP() << "no nvcc";
  opt_.compiler = "nvcc";
  const CompiledMutant original = compile(kTemplate, "twiceILi1E", -1);
  ASSERT_TRUE(original.ok) << original.error;
  const CompiledMutant other = compile(replaced(kTemplate, "+ 2.0f", "- 2.0f"), "twiceILi1E", 1);
  ASSERT_TRUE(other.ok) << other.error;
  const EntryCode one = entry_code_of_file(original.cubin_path, "twiceILi1E");
  const EntryCode two = entry_code_of_file(original.cubin_path, "twiceILi2E");
  EXPECT_EQ(one.symbol, "_Z5twiceILi1EEvPKfPf");
  EXPECT_TRUE(same_code(one, other));
  EXPECT_FALSE(same_code(two, other));
  // A part of the name that both instances have names neither.
  EXPECT_THROW(entry_code_of_file(original.cubin_path, "twice"), std::runtime_error);
}

}  // namespace
}  // namespace qgemv
