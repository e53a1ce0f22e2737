#pragma once
// Per-path launchers, named by the rows of builtin_paths.cu; each enqueues its kernel with the
// shape that launch_config.h derived.
#include <cuda_runtime.h>

#include "kernels/launch/launch.h"
#include "kernels/launch/launch_config.h"

namespace qgemv::dev {

void launch_q4k(const GemvLaunch& g, LaunchShape s, cudaStream_t stream);
void launch_tiled(const GemvLaunch& g, LaunchShape s, cudaStream_t stream);
void launch_chunked(const GemvLaunch& g, LaunchShape s, cudaStream_t stream);
void launch_dp4a(const GemvLaunch& g, LaunchShape s, cudaStream_t stream);
void launch_q4k_q8(const GemvLaunch& g, LaunchShape s, cudaStream_t stream);
void launch_mwv(const GemvLaunch& g, LaunchShape s, cudaStream_t stream);
void launch_mwv_q8(const GemvLaunch& g, LaunchShape s, cudaStream_t stream);
void launch_q8_quantize(const float* x, BlockQ8_1* out, int64_t values, unsigned* status,
                        Q8Sum convention, LaunchShape s, cudaStream_t stream);

}  // namespace qgemv::dev
