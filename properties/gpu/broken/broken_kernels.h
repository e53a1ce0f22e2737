#pragma once
// The deliberately broken kernels of broken_kernels.cu, registered as paths named broken_*.
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/launch/gemv_path.h"

namespace qgemv::testing {

// How a broken kernel treats the GPU it runs on. A fault or a hang goes through the driver's
// recovery, which other contexts on the same GPU live through but which is best done with
// nothing else there; the trap and the endless loop exercise the same paths of the supervisor as
// the illegal address and are run only when asked (kOptInEnv).
enum class Harm {
  kNone,   // a wrong result: runs beside the healthy paths
  kFault,  // a fault: runs alone, one worker, in its own verification
  kOptIn,  // a trap or a hang: alone as well, and only with kOptInEnv=1
};

inline constexpr const char* kOptInEnv = "QGEMV_SELF_TEST_TRAP_AND_HANG";
// How long the hang kernel spins before it ends by itself; the test's step deadline is a
// quarter of it.
inline constexpr double kHangSeconds = 20;

struct BrokenPath {
  Path path;
  std::string expected;  // what each of its failure messages must say ("" for any failure)
  Harm harm = Harm::kNone;
};

const std::vector<BrokenPath>& broken_paths();

// The same kernel without a bug: a path added from a test file, as docs/ADDING_A_PATH.md adds
// one, which must run through verify and bench like a built-in one.
Path healthy_test_path();

}  // namespace qgemv::testing
