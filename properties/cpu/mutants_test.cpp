// The mutant generator: each operator makes the edits it should, only in device code.
#include "harness/mutate/mutants.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "harness/external/driver_api.h"
#include "harness/external/nvrtc_compiler.h"

namespace qgemv {
namespace {

const char* kKernel = R"(#include <x.h>
// a comment with a + b and 7
inline int host_only(int a) { return a + 1; }
__device__ int twice(int a) { return a * 2; }
__global__ void k(const float* x, float* y, int n) {
  const int i = blockIdx.x * 32 + threadIdx.x;
  float v = lanes_sum<4>(x[i]);
  if (i < n) y[i] = v - x[0];
  v = __shfl_xor_sync(0xffffffffu, v, 16);
  __syncthreads();
  y[0] += v >> 2;
}
)";

std::multimap<std::string, std::string> edits(const std::vector<Mutant>& ms) {
  std::multimap<std::string, std::string> out;
  for (const Mutant& m : ms) out.emplace(m.op, m.after);
  return out;
}

bool has(const std::multimap<std::string, std::string>& e, const std::string& op,
         const std::string& line) {
  for (auto [a, b] = e.equal_range(op); a != b; ++a)
    if (a->second.find(line) != std::string::npos) return true;
  return false;
}

TEST(Mutants, EachOperatorMakesItsEdits) {
  const auto ms = generate_mutants(kKernel);
  const auto e = edits(ms);
  EXPECT_TRUE(has(e, "arith", "return a / 2;"));
  EXPECT_TRUE(has(e, "arith", "blockIdx.x / 32 + threadIdx.x"));
  EXPECT_TRUE(has(e, "arith", "y[i] = v + x[0]"));
  EXPECT_TRUE(has(e, "arith", "y[0] -= v >> 2"));
  EXPECT_TRUE(has(e, "compare", "if (i <= n)"));
  EXPECT_TRUE(has(e, "constant", "blockIdx.x * 33 + threadIdx.x"));
  EXPECT_TRUE(has(e, "constant", "blockIdx.x * 31 + threadIdx.x"));
  EXPECT_TRUE(has(e, "constant", "0xfffffffeu"));  // a mask
  EXPECT_TRUE(has(e, "constant", "v >> 3"));       // a shift amount
  EXPECT_TRUE(has(e, "shift", "v << 2"));
  EXPECT_TRUE(has(e, "index", "y[(i) + 1] = v - x[0]"));
  EXPECT_TRUE(has(e, "index", "x[(0) - 1]"));
  EXPECT_TRUE(has(e, "drop", "  ;"));
  EXPECT_TRUE(has(e, "barrier", ""));
  EXPECT_TRUE(has(e, "shuffle", "v = v;"));
  // Never in host code, comments, preprocessor lines or template arguments.
  for (const Mutant& m : ms) {
    EXPECT_EQ(m.before.find("host_only"), std::string::npos) << m.after;
    EXPECT_EQ(m.before.find("comment"), std::string::npos) << m.after;
    EXPECT_EQ(m.before.find("#include"), std::string::npos) << m.after;
    EXPECT_EQ(m.after.find("lanes_sum<=4>"), std::string::npos);
    EXPECT_EQ(m.after.find("lanes_sum<5>"), std::string::npos) << "template argument mutated";
  }
}

TEST(Mutants, EachIsOneEditOfTheSourceWithIdsInOrder) {
  const auto ms = generate_mutants(kKernel);
  ASSERT_GT(ms.size(), 20u);
  std::set<std::string> sources;
  for (size_t i = 0; i < ms.size(); ++i) {
    EXPECT_EQ(ms[i].id, int(i));
    EXPECT_NE(ms[i].source, kKernel);
    EXPECT_NE(ms[i].before, ms[i].after);
    sources.insert(ms[i].source);
    if (i > 0) {
      EXPECT_GE(ms[i].line, ms[i - 1].line);
    }
  }
  EXPECT_EQ(sources.size(), ms.size()) << "two mutants are the same program";
}

// Ids must not depend on the standard library's sort: edits at one position (here a literal
// index: two constants and two index edits at the '7') are ordered by operator, then by
// replacement text, not left in whatever order the sort leaves ties.
TEST(Mutants, EditsAtOnePositionAreOrderedByOperatorThenReplacement) {
  const auto ms = generate_mutants("__global__ void k(int* x) {\n  x[7] = 1;\n}\n");
  std::vector<std::string> at_seven;
  for (const Mutant& m : ms)
    if (m.after.starts_with("  x[") && m.after.ends_with("] = 1;")) at_seven.push_back(m.after);
  EXPECT_EQ(at_seven, (std::vector<std::string>{"  x[6] = 1;", "  x[8] = 1;", "  x[(7) + 1] = 1;",
                                                "  x[(7) - 1] = 1;"}));
}

}  // namespace
}  // namespace qgemv

namespace qgemv {
namespace {

// NVRTC needs no GPU: the test kernel's mutants compile-check here (most compile; the ones
// that do not are reported as such, not as killed).
TEST(Mutants, TheTestKernelsMutantsCompileWithNvrtc) {
  const std::string file =
      std::string(QGEMV_SOURCE_DIR) + "/properties/gpu/external/warp_per_row_gemv.cu";
  std::ifstream in(file);
  const std::string source((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto mutants = generate_mutants(source);
  ASSERT_GT(mutants.size(), 100u);
  int compiled = 0, tried = 0;
  for (size_t i = 0; i < mutants.size(); i += 12, ++tried) {
    try {
      nvrtc_compile(file, mutants[i].source, "warp_per_row_q4k", 90);
      ++compiled;
    } catch (const ExternalKernelError& e) {
      if (std::string(e.what()).find("not found") != std::string::npos)
        GTEST_SKIP() << e.what();  // no NVRTC on this machine
    }
  }
  EXPECT_GE(compiled, tried * 2 / 3) << compiled << " of " << tried;
}

}  // namespace
}  // namespace qgemv
