// Kernels built outside qgemv: the built-in kernels loaded back from their PTX give what the
// built-in paths give, bit for bit; a kernel written only for the tests verifies from its .cu
// through NVRTC; each unusable module or spec is refused with what is wrong.
#include "harness/external/external_kernel.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "harness/mutate/mutation_run.h"
#include "harness/verify/verify_suite.h"
#include "properties/support/gpu_test.h"

namespace qgemv::testing {
namespace {

namespace fs = std::filesystem;

// build/bin/.. or .device/bin/..: where the build put ptx/ and, one more up, the sources.
fs::path exe_dir() { return fs::read_symlink("/proc/self/exe").parent_path(); }
fs::path ptx(const std::string& name) { return exe_dir() / ".." / "ptx" / name; }
fs::path test_source() {
  return exe_dir() / ".." / ".." / "properties" / "gpu" / "external" / "warp_per_row_gemv.cu";
}

struct Builtin {
  Path path;
  std::string file, entry, launch;
};

// The built-in kernels with one entry for every shape (mwv picks a template per shape).
std::vector<Builtin> builtins() {
  return {
      {Path::kQ4K, "gemv_q4k.ptx", "_ZN5qgemv3dev15gemv_q4k_kernelEPKNS_8BlockQ4KEPKfPfi",
       "input=f32;threads=32;rows_per_cta=1;params=w,x,y,k;rounding=16"},
      {Path::kChunked, "gemv_chunked.ptx",
       "_ZN5qgemv3dev19gemv_chunked_kernelEPKNS_8BlockQ4KEPKfPfii",
       "input=f32;threads=128;rows_per_cta=4;params=w,x,y,n,k;rounding=16"},
      {Path::kQ4KQ8, "gemv_q8_warp.ptx",
       "_ZN5qgemv3dev19gemv_q8_warp_kernelINS0_12Q8FromBufferEEEvPKNS_8BlockQ4KET_Pfi",
       "input=q8_1;threads=32;rows_per_cta=1;params=w,x,y,k"},
      // dp4a's input is a struct of x and the status word: two pointers in the parameters.
      {Path::kDp4a, "gemv_q8_warp.ptx",
       "_ZN5qgemv3dev19gemv_q8_warp_kernelINS0_9Q8FromF32EEEvPKNS_8BlockQ4KET_Pfi",
       "input=f32;threads=32;rows_per_cta=1;params=w,x,status,y,k;rounding=16"},
  };
}

class ExternalKernel : public GpuTest {};

TEST_F(ExternalKernel, BuiltinPtxGivesTheBuiltinPathsResultsBitForBit) {
  int loaded = 0;
  for (const Builtin& b : builtins()) {
    const Path ext =
        load_external_kernel(ptx(b.file).string() + ":" + b.entry,
                             b.launch + ";name=ptx_" + std::string(path_name(b.path)), 0);
    ++loaded;
    for (uint64_t seed : {1u, 2u, 3u}) {
      GemvCase c = draw_case(seed * 7919 + loaded, 600, 16384);
      const GemvData d = materialize(c);
      ex_->weights().load("ext", d.w, ex_->stream());
      for (Form f : kAllForms) {
        // dp4a's arithmetic quantizes in the kernel; the external row says q8_1 input is f32, so
        // both are compared with each other, and the external one against its own bound.
        std::vector<float> want;
        try {
          want = gpu_gemv(*ex_, b.path, f, "ext", d.w, d.x, 4);
        } catch (const Q8OverflowError&) {  // the input cannot be Q8_1: both must say so
          EXPECT_THROW(gpu_gemv(*ex_, ext, f, "ext", d.w, d.x, 4), Q8OverflowError);
          continue;
        }
        const std::vector<float> got = gpu_gemv(*ex_, ext, f, "ext", d.w, d.x, 4);
        EXPECT_EQ(0, std::memcmp(want.data(), got.data(), want.size() * sizeof(float)))
            << path_name(b.path) << " " << c.describe() << " form=" << form_name(f);
      }
      if (b.path != Path::kDp4a) {
        const Path both[] = {ext};
        EXPECT_TRUE(verify_gemv(*ex_, both, "ext", d.w, d.x, c.describe(), 4).empty());
      }
    }
  }
}

TEST_F(ExternalKernel, TestKernelVerifiesFromItsSourceThroughNvrtc) {
  const Path p = load_external_kernel(
      test_source().string() + ":warp_per_row_q4k",
      "input=f32;threads=32;rows_per_cta=1;params=w,x,y,n,k;name=nvrtc_warp", 0);
  const Path one[] = {p};
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    const auto f = verify_case(*ex_, one, draw_case(seed, 2000, 20000), 4);
    EXPECT_TRUE(f.empty()) << f.front();
  }
}

TEST_F(ExternalKernel, UnusableModulesAndSpecsAreRefusedWithTheReason) {
  const std::string q4k = ptx("gemv_q4k.ptx").string();
  const std::string entry = "_ZN5qgemv3dev15gemv_q4k_kernelEPKNS_8BlockQ4KEPKfPfi";
  const std::string ok = "input=f32;threads=32;rows_per_cta=1;params=w,x,y,k";
  const std::string garbage = ::testing::TempDir() + "/garbage.ptx";
  std::ofstream(garbage) << ".version 99.0\nthis is not ptx\n";
  const std::string broken = ::testing::TempDir() + "/broken.cu";
  std::ofstream(broken) << "extern \"C\" __global__ void k(float* y) { y[0] = missing; }\n";
  auto refused = [](const std::string& kernel, const std::string& launch, const std::string& what) {
    try {
      load_external_kernel(kernel, launch, 0);
      ADD_FAILURE() << "accepted " << kernel;
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  refused(garbage + ":k", ok, "cannot load it as a module");
  refused(q4k + ":no_such_kernel", ok, "no entry 'no_such_kernel'");
  refused(q4k + ":" + entry, "input=f32;threads=32;rows_per_cta=1;params=w,x,y,n,k",
          "do not match the entry's 4 parameter(s)");
  refused(broken + ":k", ok, "missing");  // NVRTC's log names the undeclared identifier
  refused(q4k + ":" + entry, "input=f32;threads=32;rows_per_cta=1", "missing params");
  // A launch the driver refuses: more shared memory than any GPU has.
  const Path p = load_external_kernel(q4k + ":" + entry, ok + ";shared=1000000000;name=too_big", 0);
  const GemvData d = materialize(draw_case(5, 8, 512));
  ex_->weights().load("too_big", d.w, ex_->stream());
  try {
    gpu_gemv(*ex_, p, Form::kInto, "too_big", d.w, d.x, 4);
    ADD_FAILURE() << "a launch with 1 GB of shared memory went through";
  } catch (const ExternalKernelError& e) {
    EXPECT_NE(std::string(e.what()).find("failed"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace qgemv::testing

namespace qgemv::testing {
namespace {

TEST_F(ExternalKernel, AKnownBadMutantIsKilledAndTheOriginalSurvives) {
  std::ifstream in(test_source());
  const std::string source((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  MutationOptions opt;
  opt.kernel = test_source().string() + ":warp_per_row_q4k";
  opt.launch = "input=f32;threads=32;rows_per_cta=1;params=w,x,y,n,k";
  opt.cases = 20;
  opt.out_dir = ::testing::TempDir() + "/mutants";
  const auto mutants = generate_mutants(source);
  const auto bad = std::find_if(mutants.begin(), mutants.end(), [](const Mutant& m) {
    return m.after.find("acc -= part;") != std::string::npos;
  });
  ASSERT_NE(bad, mutants.end());
  const MutantResult r = judge_mutant(opt, *bad);
  EXPECT_EQ(r.status, MutantStatus::kKilled) << r.detail;
  EXPECT_EQ(r.killed_by, "bound") << r.detail;
  Mutant same = *bad;  // the unmutated source, judged the same way, must survive
  same.source = source;
  same.id = 100000;
  const MutantResult ok = judge_mutant(opt, same);
  EXPECT_EQ(ok.status, MutantStatus::kSurvived) << ok.detail;
}

}  // namespace
}  // namespace qgemv::testing
