// A profiled kernel's code identity without a GPU: the names Nsight Compute prints matched to
// cubin symbols, and the identity of a kernel compiled here twice, in two directories, against
// an edited one.
#include "harness/cubin/code_identity.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "harness/cubin/kernel_name.h"
#include "harness/io/read_whole_file.h"

namespace qgemv {
namespace {

namespace fs = std::filesystem;

// Symbols of this build's sm_90 cubins, and the names ncu 2025.3 printed for kernels like them
// (results/h100/profile).
const std::vector<std::string> kSymbols = {
    "_ZN5qgemv3dev44_GLOBAL__N__730f66f2_11_gemv_mwv_cu_dda4b23015gemv_mwv_"
    "kernelILi4ELi64ENS1_7Q8InputEEEvPKNS_8BlockQ4KET1_Pfii",
    "_ZN5qgemv3dev44_GLOBAL__N__730f66f2_11_gemv_mwv_cu_dda4b23015gemv_mwv_"
    "kernelILi4ELi64ENS1_8F32InputEEEvPKNS_8BlockQ4KET1_Pfii",
    "_ZN5qgemv3dev44_GLOBAL__N__730f66f2_11_gemv_mwv_cu_dda4b23015gemv_mwv_"
    "kernelILi8ELi64ENS1_7Q8InputEEEvPKNS_8BlockQ4KET1_Pfii",
    "_ZN5qgemv47_GLOBAL__N__154d0ef4_14_stream_read_cu_b6d92a5718stream_read_kernelEPK5uint4mPj",
    "_ZN5qgemv3dev18q8_quantize_kernelEPKfPNS_9BlockQ8_1ElPjNS_5Q8SumE",
    "_Z1kPf",
    "_Z1kPi",
    "scale",
};

std::string matched(std::string_view printed) {
  return match_kernel_symbol(printed, kSymbols).value_or("none");
}

TEST(KernelName, NcuNamesFindTheirSymbol) {
  // ncu's raw page: namespaces left out, "<unnamed>" without its '<', a dependent parameter as
  // its template parameter's name.
  EXPECT_EQ(matched("void unnamed>::gemv_mwv_kernel<4, 64, unnamed>::Q8Input>(const BlockQ4K *, "
                    "T3, float *, int, int)"),
            kSymbols[0]);
  EXPECT_EQ(matched("void <unnamed>::gemv_mwv_kernel<4, 64, <unnamed>::F32Input>(const "
                    "BlockQ4K *, T3, float *, int, int)"),
            kSymbols[1]);
  EXPECT_EQ(matched("void qgemv::dev::(anonymous namespace)::gemv_mwv_kernel<8, 64, "
                    "qgemv::dev::(anonymous namespace)::Q8Input>(qgemv::BlockQ4K const*, "
                    "qgemv::dev::(anonymous namespace)::Q8Input, float*, int, int)"),
            kSymbols[2])
      << "the C++ demangler's own form";
  EXPECT_EQ(matched("unnamed>::stream_read_kernel(const uint4 *, unsigned long, unsigned int *)"),
            kSymbols[3]);
  // A parameter added since the name was printed: the name and namespaces still decide.
  EXPECT_EQ(matched("q8_quantize_kernel(const float *, BlockQ8_1 *, long, unsigned int *)"),
            kSymbols[4]);
  EXPECT_EQ(matched("q8_quantize_kernel"), kSymbols[4]) << "--print-kernel-base function";
  EXPECT_EQ(matched("scale(const float *, float *, int)"), "scale") << "extern \"C\"";
}

TEST(KernelName, ANameThatCouldBeSeveralKernelsIsNone) {
  EXPECT_EQ(matched("gemv_mwv_kernel"), "none") << "six instances, no template arguments";
  EXPECT_EQ(matched("void unnamed>::gemv_mwv_kernel<64, unnamed>::Q8Input>(const BlockQ4K *, "
                    "T2, float *, int, int)"),
            "none")
      << "an older kernel's template arguments";
  EXPECT_EQ(matched("other::stream_read_kernel(const uint4 *, unsigned long, unsigned int *)"),
            "none")
      << "a namespace the symbol lacks";
  EXPECT_EQ(matched("k"), "none") << "two overloads";
  EXPECT_EQ(matched("k(float *)"), "_Z1kPf") << "the parameters choose";
  EXPECT_EQ(matched("k(const int *)"), "_Z1kPi");
  EXPECT_EQ(matched("missing_kernel(int)"), "none");
  EXPECT_EQ(matched(""), "none");
}

TEST(CodeIdentity, AnonymousNamespaceHashesDoNotCount) {
  const std::string a = "x.text._ZN36_GLOBAL__N__e6042a37_4_k_cu_d589cb604spinEPfi";
  const std::string b = "x.text._ZN36_GLOBAL__N__4f271805_4_k_cu_123456784spinEPfi";
  EXPECT_EQ(code_hash(a), code_hash(b));
  EXPECT_EQ(code_hash(a).size(), 16u);
  EXPECT_NE(code_hash(a), code_hash("x.text._ZN36_GLOBAL__N__e6042a37_4_k_cu_d589cb604spinEPfj"));
  EXPECT_EQ(code_hash(""), "cbf29ce484222325") << "FNV-1a's offset basis";
}

// This build's paths library: its kernels identified by the names ncu prints for them.
TEST(CodeIdentity, ThisBuildsKernelsAreIdentified) {
  const BinaryCode sm90(std::string(QGEMV_PATHS_LIBRARY), 90);
  const KernelCode q8 = sm90.identify(
      "void unnamed>::gemv_mwv_kernel<4, 64, unnamed>::Q8Input>(const BlockQ4K *, T3, float *, "
      "int, int)");
  ASSERT_EQ(q8.identity.size(), std::string("sm_90:").size() + 16) << q8.why_unknown;
  EXPECT_TRUE(q8.identity.starts_with("sm_90:"));
  const KernelCode f32 = sm90.identify(
      "void unnamed>::gemv_mwv_kernel<4, 64, unnamed>::F32Input>(const BlockQ4K *, T3, float *, "
      "int, int)");
  EXPECT_NE(f32.identity, q8.identity);
  EXPECT_FALSE(f32.identity.empty()) << f32.why_unknown;
  const KernelCode sm89 =
      BinaryCode(std::string(QGEMV_PATHS_LIBRARY), 89)
          .identify(
              "void unnamed>::gemv_mwv_kernel<4, 64, unnamed>::Q8Input>(const BlockQ4K "
              "*, T3, float *, int, int)");
  EXPECT_TRUE(sm89.identity.starts_with("sm_89:")) << sm89.why_unknown;
  const KernelCode none = sm90.identify("gemv_mwv_kernel");
  EXPECT_EQ(none.identity, "");
  EXPECT_NE(none.why_unknown.find("no one entry"), std::string::npos) << none.why_unknown;
  EXPECT_NE(BinaryCode(std::string(QGEMV_PATHS_LIBRARY), 80)
                .identify("q8_quantize_kernel")
                .why_unknown.find("no cubin for sm_80"),
            std::string::npos);
  EXPECT_THROW(
      BinaryCode(std::string("not an ELF, long enough for a header, surely........"), 90, "bytes"),
      FatbinError);
}

// nvcc compiles the same source in two directories, the second with its lines moved, and an
// edited source: the identity follows the code and nothing else.
constexpr const char* kSource = R"(namespace {
struct In { float scale; };
template <int N, class I>
__global__ void twice(const float* x, I in, float* y) {
  if (threadIdx.x < N) y[threadIdx.x] = x[threadIdx.x] * in.scale + 2.0f;
}
__global__ void other(float* y) { y[threadIdx.x] = 1.0f; }
}  // namespace
void launch(const float* x, float* y) {
  twice<32, In><<<1, 32>>>(x, In{2.0f}, y);
  other<<<1, 32>>>(y);
}
)";

class CodeIdentityNvcc : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("qgemv-code-identity-" + std::to_string(::getpid()));
    nvcc_ = "/usr/local/cuda/bin/nvcc";
    if (const char* home = std::getenv("CUDA_HOME")) nvcc_ = fs::path(home) / "bin" / "nvcc";
    if (!fs::exists(nvcc_)) GTEST_SKIP() << "no nvcc at " << nvcc_;
  }
  void TearDown() override { fs::remove_all(root_); }

  // An object file of `source` built in `dir` (host code and a fatbin in .nv_fatbin).
  std::string object(const std::string& dir, const std::string& source) {
    fs::create_directories(root_ / dir);
    const fs::path cu = root_ / dir / "k.cu", o = root_ / dir / "k.o";
    std::ofstream(cu) << source;
    const std::string cmd = nvcc_.string() + " -c -arch=sm_90 -lineinfo -o '" + o.string() + "' '" +
                            cu.string() + "' 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    return o.string();
  }

  fs::path root_, nvcc_;
};

constexpr const char* kTwice =
    "void <unnamed>::twice<32, <unnamed>::In>(const float *, T2, float *)";

TEST_F(CodeIdentityNvcc, TheSameCodeInAnotherCheckoutIsTheSameAndAnEditIsNot) {
  const std::string a = object("a", kSource);
  const std::string b = object("b/deeper", std::string("// moved down\n\n") + kSource);
  std::string edited = kSource;
  edited.replace(edited.find("+ 2.0f"), 6, "+ 3.0f");
  const std::string c = object("c", edited);

  const KernelCode in_a = BinaryCode(a, 90).identify(kTwice);
  ASSERT_FALSE(in_a.identity.empty()) << in_a.why_unknown;
  EXPECT_TRUE(in_a.identity.starts_with("sm_90:"));
  EXPECT_EQ(BinaryCode(a, 90).identify(kTwice).identity, in_a.identity) << "deterministic";
  EXPECT_EQ(BinaryCode(b, 90).identify(kTwice).identity, in_a.identity)
      << "another directory, other lines: the same code";
  EXPECT_NE(BinaryCode(c, 90).identify(kTwice).identity, in_a.identity);
  // The kernel the edit did not touch keeps its identity.
  const KernelCode other_a = BinaryCode(a, 90).identify("<unnamed>::other(float *)");
  ASSERT_FALSE(other_a.identity.empty()) << other_a.why_unknown;
  EXPECT_EQ(BinaryCode(c, 90).identify("<unnamed>::other(float *)").identity, other_a.identity);
  EXPECT_NE(other_a.identity, in_a.identity);
}

}  // namespace
}  // namespace qgemv
