#pragma once
// Guard zones: bytes before and after a device buffer, filled with kGuardByte (or another fill),
// that a verified kernel must leave alone. A write outside the buffer changes them; a read outside
// it reads 0xFF bytes, which are NaN as f32 and as fp16 (the d of a Q4_K or Q8_1 block), so the
// output it feeds fails its bound. llama.cpp's test-backend-ops puts a sentinel after every tensor
// for the same reason: compute-sanitizer sees such bugs, but only on the cases it runs.
#include <cuda_runtime_api.h>

#include <cstddef>
#include <string>

namespace qgemv {

inline constexpr size_t kGuardBytes = 16 << 10;
// cudaMalloc returns 256-byte aligned memory; the buffer after the first guard must keep it,
// since kernels read their inputs as 16-byte vectors and the executor promises that alignment.
inline constexpr size_t kCudaMallocAlignment = 256;
static_assert(kGuardBytes % kCudaMallocAlignment == 0,
              "Guard zones must keep the buffer after them aligned as cudaMalloc aligns it.");
inline constexpr unsigned char kGuardByte = 0xFF;

// Fills the guards around `bytes` bytes at base + kGuardBytes (base: an allocation of
// bytes + 2 kGuardBytes), ordered on `stream`.
void fill_guards(void* base, size_t bytes, unsigned char fill, cudaStream_t stream);

// Empty when both guards hold kGuardByte everywhere; otherwise which bytes changed, relative to
// the buffer: "bytes [+0, +4) past the end of y (4096 bytes)" or "bytes [-16, -12) before the
// start of x (...)". Waits for `stream`.
std::string damaged_guards(const void* base, size_t bytes, unsigned char fill,
                           const std::string& name, cudaStream_t stream);

}  // namespace qgemv
