#pragma once
// Bulk asynchronous copies (sm_90): one thread asks the copy engine for a run of global memory
// into shared memory, and an mbarrier in shared memory completes when the bytes have landed.
// These wrappers exist only where the PTX does (device code for sm_90 or later, where
// QGEMV_BULK_COPY is 1); a caller compiled for an older architecture must take another path.
#include <cuda_runtime.h>

#include <cstdint>

#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
#define QGEMV_BULK_COPY 1
#else
#define QGEMV_BULK_COPY 0
#endif

namespace qgemv::experiment::dev {

#if QGEMV_BULK_COPY

__device__ __forceinline__ uint32_t shared_address(const void* p) {
  return uint32_t(__cvta_generic_to_shared(p));
}

// An mbarrier whose phase completes after `arrivals` arrivals and the bytes they announce.
__device__ __forceinline__ void mbarrier_init(uint64_t* bar, uint32_t arrivals) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;" ::"r"(shared_address(bar)), "r"(arrivals)
               : "memory");
}

// The copy engine (the async proxy) must see the initialized barriers before a copy signals
// one; __syncthreads() after this makes them visible to the CTA's other threads too.
__device__ __forceinline__ void fence_barrier_init() {
  asm volatile("fence.proxy.async.shared::cta;" ::: "memory");
}

// Arrives once and announces `bytes` that copies will deliver to this phase.
__device__ __forceinline__ void mbarrier_arrive_expect_bytes(uint64_t* bar, uint32_t bytes) {
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" ::"r"(shared_address(bar)),
               "r"(bytes)
               : "memory");
}

__device__ __forceinline__ bool mbarrier_try_wait(uint64_t* bar, uint32_t parity) {
  uint32_t done;
  asm volatile(
      "{\n"
      ".reg .pred p;\n"
      "mbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\n"
      "selp.u32 %0, 1, 0, p;\n"
      "}\n"
      : "=r"(done)
      : "r"(shared_address(bar)), "r"(parity)
      : "memory");
  return done != 0;
}

// Returns once the barrier's phase of this parity (0 for its 1st, 3rd, ... completion) is done.
__device__ __forceinline__ void mbarrier_wait(uint64_t* bar, uint32_t parity) {
  while (!mbarrier_try_wait(bar, parity)) {
  }
}

// An L2 policy that evicts these bytes first: what __ldcs asks of the loads variants, so that
// the variants differ in how bytes are kept in flight, not in what L2 keeps.
__device__ __forceinline__ uint64_t evict_first_policy() {
  uint64_t policy;
  asm volatile("createpolicy.fractional.L2::evict_first.b64 %0, 1.0;" : "=l"(policy));
  return policy;
}

// Copies `bytes` (a multiple of 16; both addresses 16-byte aligned) from global memory to this
// CTA's shared memory; `bar` completes them.
__device__ __forceinline__ void bulk_copy_to_shared(void* dst, const void* src, uint32_t bytes,
                                                    uint64_t* bar, uint64_t policy) {
  asm volatile(
      "cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes.L2::cache_hint"
      " [%0], [%1], %2, [%3], %4;" ::"r"(shared_address(dst)),
      "l"(src), "r"(bytes), "r"(shared_address(bar)), "l"(policy)
      : "memory");
}
#endif  // QGEMV_BULK_COPY

}  // namespace qgemv::experiment::dev
