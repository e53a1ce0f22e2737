#include <algorithm>

#include "experiments/read_inflight/bulk_copy.cuh"
#include "experiments/read_inflight/read_kernels.h"
#include "experiments/read_inflight/read_tiles.h"
#include "harness/executor/cuda_check.h"
#include "kernels/gemv/dependent_launch.cuh"

namespace qgemv::experiment {
namespace {

constexpr unsigned kNeverFold = 0x9E3779B9u;

__device__ __forceinline__ unsigned fold_word(uint4 v) { return v.x ^ v.y ^ v.z ^ v.w; }

// The read row's start: lets the next kernel launch, asks L2 for the CTA's first tile (bytes
// that depend on nothing earlier), then waits for the previous kernel, as a GEMV must before it
// reads its input.
__device__ __forceinline__ void start_as_read_row(const uint4* data, int64_t first_word,
                                                  int64_t words, int64_t tile_words) {
  qgemv::dev::allow_dependent_launch();
  if (threadIdx.x == 0 && first_word < words)
    qgemv::dev::prefetch_to_l2(data + first_word,
                               uint32_t(min(tile_words, words - first_word) * kReadWordBytes));
  qgemv::dev::wait_for_previous_grid();
}

// The lane's U words of one tile, every load issued before any is folded, so that U loads per
// lane are in flight at once. Streaming loads (ld.global.cs) as the read row's: not the
// non-coherent path, which the dependent launch's memory model does not cover.
template <int U>
__device__ __forceinline__ unsigned fold_tile(const uint4* data, int64_t tile, int64_t words) {
  uint4 v[U];
#pragma unroll
  for (int u = 0; u < U; ++u) {
    const int64_t i = tile_word(tile, u, int(threadIdx.x), int(blockDim.x), U);
    v[u] = i < words ? __ldcs(data + i) : make_uint4(0, 0, 0, 0);
  }
  unsigned fold = 0;
#pragma unroll
  for (int u = 0; u < U; ++u) fold ^= fold_word(v[u]);
  return fold;
}

// The CTA's tiles in turn (one pass when the grid has a CTA per tile).
template <int U>
__device__ __forceinline__ unsigned fold_strided_tiles(const uint4* data, int64_t words,
                                                       int64_t tiles) {
  unsigned fold = 0;
  for (int64_t pass = 0, tile = blockIdx.x; tile < tiles;
       tile = cta_tile(blockIdx.x, ++pass, gridDim.x))
    fold ^= fold_tile<U>(data, tile, words);
  return fold;
}

template <ReadFold F>
__device__ __forceinline__ void finish(unsigned fold, unsigned* sink) {
  if constexpr (F == ReadFold::kTimed) {
    // Data-dependent and practically never true, so the loads must happen.
    if (fold == kNeverFold) *sink = fold;
  } else {
#pragma unroll
    for (int offset = 16; offset > 0; offset >>= 1) fold ^= __shfl_xor_sync(~0u, fold, offset);
    if (threadIdx.x % 32 == 0) atomicXor(sink, fold);
  }
}

// kLoads (a CTA per tile) and kResident (resident CTAs looping): one kernel, the grid decides.
template <int U, ReadFold F>
__global__ void read_tiles_kernel(const uint4* __restrict__ data, int64_t words, int64_t tiles,
                                  unsigned* __restrict__ sink) {
  start_as_read_row(data, tile_word(blockIdx.x, 0, 0, int(blockDim.x), U), words,
                    int64_t(blockDim.x) * U);
  finish<F>(fold_strided_tiles<U>(data, words, tiles), sink);
}

#if QGEMV_BULK_COPY
// Thread 0 readies the ring's barriers (one arrival each: its own, announcing the bytes) for the
// copy engine; a __syncthreads() must follow before any lane waits on one.
template <int U>
__device__ __forceinline__ void init_ring_barriers(uint64_t* landed) {
  if (threadIdx.x != 0) return;
  for (int s = 0; s < U; ++s) dev::mbarrier_init(&landed[s], 1);
  dev::fence_barrier_init();
}

// Asks the copy engine for `tile` (one word per lane) into stage `s`, announcing its bytes to
// the stage's barrier; nothing past the last tile, so that no copy is outstanding at exit.
__device__ __forceinline__ void request_stage(uint4* ring, uint64_t* landed, int s,
                                              const uint4* data, int64_t tile, int64_t words,
                                              int64_t tiles, uint64_t policy) {
  if (tile >= tiles) return;
  const int64_t first = tile_word(tile, 0, 0, int(blockDim.x), 1);
  const uint32_t bytes = uint32_t(min(int64_t(blockDim.x), words - first) * kReadWordBytes);
  dev::mbarrier_arrive_expect_bytes(&landed[s], bytes);
  dev::bulk_copy_to_shared(ring + s * blockDim.x, data + first, bytes, &landed[s], policy);
}

// Thread 0 keeps the CTA's next U tiles in flight, one per stage; every lane folds its word of a
// stage once the stage's barrier says it landed, and the stage is asked for again once every
// lane has read it. Parity: a stage's k-th fill completes its barrier's phase k.
template <int U>
__device__ __forceinline__ unsigned fold_through_ring(uint4* ring, uint64_t* landed,
                                                      const uint4* data, int64_t words,
                                                      int64_t tiles) {
  const uint64_t policy = dev::evict_first_policy();
  if (threadIdx.x == 0)
    for (int s = 0; s < U; ++s)
      request_stage(ring, landed, s, data, cta_tile(blockIdx.x, s, gridDim.x), words, tiles,
                    policy);
  unsigned fold = 0;
  for (int64_t pass = 0, tile = blockIdx.x; tile < tiles;
       tile = cta_tile(blockIdx.x, ++pass, gridDim.x)) {
    const int s = int(pass % U);
    dev::mbarrier_wait(&landed[s], uint32_t(pass / U) & 1u);
    if (tile_word(tile, 0, int(threadIdx.x), int(blockDim.x), 1) < words)
      fold ^= fold_word(ring[s * blockDim.x + threadIdx.x]);
    __syncthreads();  // every lane has read stage s before it is refilled
    if (threadIdx.x == 0)
      request_stage(ring, landed, s, data, cta_tile(blockIdx.x, pass + U, gridDim.x), words, tiles,
                    policy);
  }
  return fold;
}
#endif

// kBulk: a ring of U stages in shared memory filled by bulk copies (fold_through_ring).
template <int U, ReadFold F>
__global__ void read_bulk_kernel(const uint4* __restrict__ data, int64_t words, int64_t tiles,
                                 unsigned* __restrict__ sink) {
  static_assert(U >= 1 && (U & (U - 1)) == 0, "the ring's stages must be a power of two");
  const int64_t first_word = tile_word(blockIdx.x, 0, 0, int(blockDim.x), 1);
#if QGEMV_BULK_COPY
  extern __shared__ uint4 ring[];  // U stages of blockDim.x words
  __shared__ uint64_t landed[U];
  init_ring_barriers<U>(landed);
  start_as_read_row(data, first_word, words, blockDim.x);
  __syncthreads();
  finish<F>(fold_through_ring<U>(ring, landed, data, words, tiles), sink);
#else
  // No bulk copies before sm_90: the same grid and tiles, each lane loading its word itself.
  start_as_read_row(data, first_word, words, blockDim.x);
  finish<F>(fold_strided_tiles<1>(data, words, tiles), sink);
#endif
}

using ReadKernel = void (*)(const uint4*, int64_t, int64_t, unsigned*);

template <ReadFold F>
ReadKernel read_kernel(ReadVariant v, int u) {
  const bool bulk = v == ReadVariant::kBulk;
  switch (u) {
    case 1:
      return bulk ? read_bulk_kernel<1, F> : read_tiles_kernel<1, F>;
    case 2:
      return bulk ? read_bulk_kernel<2, F> : read_tiles_kernel<2, F>;
    case 4:
      return bulk ? read_bulk_kernel<4, F> : read_tiles_kernel<4, F>;
    case 8:
      return bulk ? read_bulk_kernel<8, F> : read_tiles_kernel<8, F>;
  }
  return nullptr;
}

ReadKernel read_kernel(const ReadConfig& c, ReadFold f) {
  return f == ReadFold::kTimed ? read_kernel<ReadFold::kTimed>(c.variant, c.u)
                               : read_kernel<ReadFold::kChecked>(c.variant, c.u);
}

// Lets every bulk instance take the largest ring (8 stages of 1024 words, above the 48 KB a
// kernel gets without asking) or as much as the device allows a CTA, once per process; a ring
// beyond that then fits no SM, which read_launch reports.
cudaError_t allow_largest_rings() {
  static const cudaError_t e = [] {
    int device = 0, optin = 0;
    cudaError_t r = cudaGetDevice(&device);
    if (r == cudaSuccess)
      r = cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, device);
    const int bytes =
        std::min(optin, int(read_ring_bytes({ReadVariant::kBulk, 8, kMaxReadThreads})));
    for (ReadFold f : {ReadFold::kTimed, ReadFold::kChecked})
      for (int u : kReadUnrolls)
        if (r == cudaSuccess)
          r = cudaFuncSetAttribute(read_kernel({ReadVariant::kBulk, u, kMaxReadThreads}, f),
                                   cudaFuncAttributeMaxDynamicSharedMemorySize, bytes);
    return r;
  }();
  return e;
}

}  // namespace

ReadResidency read_residency(const ReadConfig& c) {
  int device = 0;
  ReadResidency r;
  QGEMV_CUDA(cudaGetDevice(&device));
  QGEMV_CUDA(cudaDeviceGetAttribute(&r.sms, cudaDevAttrMultiProcessorCount, device));
  if (c.variant == ReadVariant::kBulk)
    QGEMV_CUDA_CTX(allow_largest_rings(), "bulk read kernels' shared memory");
  QGEMV_CUDA_CTX(
      cudaOccupancyMaxActiveBlocksPerMultiprocessor(
          &r.ctas_per_sm, read_kernel(c, ReadFold::kTimed), c.threads, read_ring_bytes(c)),
      c.name());
  return r;
}

cudaError_t launch_read(const ReadConfig& c, const ReadLaunch& l, const void* data, unsigned* sink,
                        cudaStream_t stream, ReadFold fold) {
  const ReadKernel kernel = read_kernel(c, fold);
  if (kernel == nullptr) return cudaErrorInvalidValue;
  if (c.variant == ReadVariant::kBulk)
    if (const cudaError_t e = allow_largest_rings(); e != cudaSuccess) return e;
  // dev::launch_after_previous with dynamic shared memory for the ring, which the GEMVs' launcher
  // does not take (and kernels/ stays as the source hash knows it).
  cudaLaunchAttribute overlap[1];
  overlap[0].id = cudaLaunchAttributeProgrammaticStreamSerialization;
  overlap[0].val.programmaticStreamSerializationAllowed = 1;
  cudaLaunchConfig_t config{};
  config.gridDim = dim3(l.grid);
  config.blockDim = dim3(l.block);
  config.dynamicSmemBytes = l.shared_bytes;
  config.stream = stream;
  config.attrs = overlap;
  config.numAttrs = compiled_with_dependent_wait(reinterpret_cast<const void*>(kernel)) ? 1 : 0;
  return cudaLaunchKernelEx(&config, kernel, static_cast<const uint4*>(data), l.words, l.tiles,
                            sink);
}

}  // namespace qgemv::experiment
