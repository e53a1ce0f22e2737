#pragma once
// GEMV launches timed on the GPU behind a gate, each launch on the next of a rotation of weight
// copies larger than L2, so weights come from device memory.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/bench/bench_context.h"
#include "harness/bench/bench_weights.h"
#include "harness/bench/gpu_timer.h"
#include "harness/bench/model_preset.h"
#include "harness/executor/executor.h"
#include "harness/gguf/gguf_file.h"

namespace qgemv {

// What one sample of a kernel row is. kOneLaunch: one launch between two events, so launch
// latency and the grid's ramp and tail are inside. kBatch: kBatchLaunches launches back to back,
// each on the next weight copy, the sample being their mean: the cost of a GEMV among others,
// as in a decode step (where the dependent launch lets a kernel start as the previous ends).
enum class KernelTiming { kOneLaunch, kBatch };
inline constexpr int kBatchLaunches = 16;
inline constexpr KernelTiming kAllKernelTimings[] = {KernelTiming::kOneLaunch,
                                                     KernelTiming::kBatch};
std::string_view timing_name(KernelTiming t);  // "launch" or "batch", as --kernel-timing takes
std::optional<KernelTiming> parse_kernel_timing(const std::string& s);
std::string_view timing_mode(KernelTiming t);  // the rows' mode column: "-" or "batch"

// The path column of the read rows: beside the GEMV paths, each shape and timing is also timed
// as a kernel that only reads the shape's weight bytes, launched and waiting as the mwv GEMVs
// are (kernels/bench/dependent_read.cu). No GEMV of the shape can be faster in that timing, so
// a path's time against the read row's says how much is the kernel and how much the launch.
inline constexpr std::string_view kReadRowPath = "read";

struct KernelCase {
  std::string preset;  // a preset's or a GGUF model's name
  Projection projection;
  Path path = Path::kMwv;
  KernelTiming timing = KernelTiming::kOneLaunch;
  // A GGUF tensor whose bytes are timed; without one, random weights of the shape.
  std::shared_ptr<const gguf::GgufFile> file;
  std::string tensor;
  bool read_only = false;           // the shape's read row: `path` is not used
  std::string path_column() const;  // the path's name, or kReadRowPath
  std::string name() const;         // kernel/<preset>/<projection>/<path column>/<n>x<k>[/batch]
  RowKey row_key() const;           // its row's identity columns
  int64_t bytes() const;            // the fewest bytes a launch moves (gemv_bytes, or the weights)
};

// Every representable projection of the presets on every path and timing, then the shape's
// read row, shape-major so that the rotation set is loaded once per shape; within a shape every
// one-launch case runs before the batches (measured on the H100: a one-launch case right after
// a batch of another path read 1.2-1.8 us slower on the 256 x 1536 shapes).
std::vector<KernelCase> kernel_cases(const std::vector<std::string>& presets,
                                     const std::vector<Path>& paths,
                                     const std::vector<KernelTiming>& timings);

// The presets' projections that kernel_cases leaves out, each with the reason ("qwen2.5-0.5b q
// (896 x 896): k is not a multiple of 256, so Q4_K cannot hold it"), for the run to print.
std::vector<std::string> kernel_cases_skipped(const std::vector<std::string>& presets);

// Every projection of a GGUF model (its first Q4_K tensor of each) on every path and timing,
// and its read rows, timed on the tensor's own bytes.
std::vector<KernelCase> kernel_cases(std::shared_ptr<const gguf::GgufFile> file,
                                     const std::vector<Path>& paths,
                                     const std::vector<KernelTiming>& timings);

// The fewest bytes a launch must move: weights, input (f32 or Q8_1) and output.
int64_t gemv_bytes(Path p, int64_t n, int64_t k);
// Bytes of k values in Q8_1.
int64_t q8_bytes(int64_t k);
// The bytes a Q8_1 quantization of k values moves: f32 in, Q8_1 out.
int64_t quantize_bytes(int64_t k);

struct KernelBenchOptions {
  int64_t rotate_bytes = 0;  // 0: four times the L2 size
  uint64_t seed = 1;
};

class KernelBench {
 public:
  KernelBench(Executor& ex, const KernelBenchOptions& opt, int64_t l2_bytes);
  // Loads the rotation for the case's shape (unless already loaded), draws the input and
  // poisons the output.
  void prepare(const KernelCase& c);
  // Loads the prepared case's rotation, input and output again at other device addresses
  // (behind a spacer allocation of a random size): a kernel's time depends on where its
  // bytes lie in device memory, and one placement per process made same-build processes
  // differ by up to several percent on small shapes (results/h100/GATE.md).
  void relocate();
  // A spin kernel of `cycles` at the end of every sample's timed region (harness/bench/
  // injection.h); nullopt: none. prepare() keeps it.
  void set_spin(std::optional<uint64_t> cycles) { spin_cycles_ = cycles; }
  // Times `p` instead of the prepared case's path from the next sample on, on the same
  // buffers (the other side of an A/B case). Throws std::invalid_argument on a read row or a
  // path that reads another input kind than the case's.
  void set_path(Path p);
  // Launches in one sample of the prepared case.
  int launches() const;
  // One sample of the prepared case's timing, microseconds per launch.
  double sample_us();
  // Throws unless every output element was written with a finite value (read rows write none).
  void check_output() const;
  int copies() const { return int(copies_.size()); }

 private:
  Executor& ex_;
  KernelBenchOptions opt_;
  int64_t rotate_bytes_;
  KernelCase case_;
  // Loads the rotation of host_ for case_, with the input and output buffers.
  void load();
  std::string loaded_;  // the weights the rotation holds
  Q4KMatrix host_;      // their bytes
  std::vector<std::string> copies_;
  size_t next_ = 0;
  std::optional<uint64_t> spin_cycles_;
  DeviceBuffer<float> x_, y_;
  DeviceBuffer<BlockQ8_1> xq_;
  DeviceBuffer<unsigned> sink_{1};  // the read rows' (never written in practice)
  DeviceBuffer<char> spacer_;       // shifts the next load's addresses (relocate)
  uint64_t placements_ = 0;
  GatedTimer timer_;
};

}  // namespace qgemv
