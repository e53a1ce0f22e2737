// Paths libraries for the loader's tests, one per FAKE_PATHS_VARIANT: a good one whose
// "kernels" write to host memory (no GPU needed), and one for each thing the loader must
// refuse. Built as modules by properties/CMakeLists.txt.
#include <cstring>

#include "kernels/launch/paths_abi.h"

#define GOOD 0
#define WRONG_VERSION 1
#define NO_VERSION 2
#define NO_TABLE 3
#define NULL_TABLE 4
#define NO_LAUNCH 5
#define DUPLICATE_NAME 6
#define COMMA_IN_NAME 7
#define BAD_INPUT 8

namespace {

constexpr int32_t kIllegalAddress = 700;  // cudaErrorIllegalAddress
constexpr int32_t kInvalidDevice = 101;   // cudaErrorInvalidDevice

// Writes n + k (+ 0.5 for the second row) to output[0], so that the test sees which row ran
// with which arguments; n == 13 fails as a faulting kernel would.
int32_t launch(const void* context, const qgemv_paths_gemv* g, void*) {
  if (g->n == 13) return kIllegalAddress;
  g->output[0] = float(g->n + g->k) + (context != nullptr ? 0.5f : 0.0f);
  return 0;
}

const char* kernel_name(const void*, int64_t k) { return k > 4096 ? "fake_long" : "fake_short"; }

int32_t shape(const void*, int64_t n, int64_t, int32_t opb, uint32_t* grid, uint32_t* block) {
  *grid = uint32_t(n / opb);
  *block = uint32_t(32 * opb);
  return 0;
}

const int kSecond = 1;

const qgemv_path_row kRows[] = {
#if FAKE_PATHS_VARIANT == COMMA_IN_NAME
    {"al,pha", 0, 0, 16, 0, launch, kernel_name, nullptr, nullptr},
#elif FAKE_PATHS_VARIANT == NO_LAUNCH
    {"alpha", 0, 0, 16, 0, nullptr, kernel_name, nullptr, nullptr},
#elif FAKE_PATHS_VARIANT == BAD_INPUT
    {"alpha", 3, 0, 16, 0, launch, kernel_name, nullptr, nullptr},
#else
    {"alpha", QGEMV_PATHS_INPUT_F32, QGEMV_PATHS_ARITHMETIC_F32, 16, 0, launch, kernel_name,
     nullptr, nullptr},
#endif
    {FAKE_PATHS_VARIANT == DUPLICATE_NAME ? "alpha" : "beta", QGEMV_PATHS_INPUT_Q8_1,
     QGEMV_PATHS_ARITHMETIC_Q8_1_IN_KERNEL, 24, 1, launch, kernel_name, shape, &kSecond},
};

const qgemv_paths_table kTable{"fake", "rev-fake", 2, kRows};

}  // namespace

extern "C" {

#if FAKE_PATHS_VARIANT != NO_VERSION
uint32_t qgemv_paths_abi_version(void) {
  return FAKE_PATHS_VARIANT == WRONG_VERSION ? 99 : QGEMV_PATHS_ABI_VERSION;
}
#endif

#if FAKE_PATHS_VARIANT != NO_TABLE
const qgemv_paths_table* qgemv_paths_get_table(void) {
  return FAKE_PATHS_VARIANT == NULL_TABLE ? nullptr : &kTable;
}
#endif

int32_t qgemv_paths_prepare(int32_t device) { return device == 7 ? kInvalidDevice : 0; }

const char* qgemv_paths_error_string(int32_t code) {
  return code == kIllegalAddress  ? "fake illegal address"
         : code == kInvalidDevice ? "fake invalid device"
                                  : "fake error";
}

}  // extern "C"
