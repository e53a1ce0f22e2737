#pragma once
// The read variants of read_config.h on the GPU. Each starts as the read row does: lets the
// next kernel in the stream start at once, asks L2 for its first tile, and waits for the
// previous kernel, so that in a batch they overlap their neighbours as the mwv GEMVs do.
#include <cuda_runtime_api.h>

#include "experiments/read_inflight/read_config.h"

namespace qgemv::experiment {

// What a launch does with the XOR of the 32-bit words it read. kTimed: writes *sink only if
// the fold equals a constant it practically never equals, as the read row does, so the loads
// cannot be removed and the timed kernel does nothing else. kChecked: XORs it into *sink (one
// atomic per warp), so that a test can compare it with the same bytes folded on the CPU.
enum class ReadFold { kTimed, kChecked };

struct ReadResidency {
  int sms = 0;
  int ctas_per_sm = 0;  // of the config's timed kernel, at its threads and ring
  int64_t resident_ctas() const { return int64_t(sms) * ctas_per_sm; }
};

// The current device's SMs and how many CTAs of `c` each holds at once; throws CudaError.
ReadResidency read_residency(const ReadConfig& c);

// Launches `c` as `l` (read_launch over the same config) on `data` (16-byte aligned, l.words
// words), allowed to overlap the stream's previous kernel where the loaded code waits for it.
// Returns the launch's error, as a <<<>>> launch leaves it.
cudaError_t launch_read(const ReadConfig& c, const ReadLaunch& l, const void* data, unsigned* sink,
                        cudaStream_t stream, ReadFold fold = ReadFold::kTimed);

}  // namespace qgemv::experiment
