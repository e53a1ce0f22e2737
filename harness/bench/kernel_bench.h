#pragma once
// One GEMV launch per sample, timed on the GPU behind a gate, each sample on the next of a
// rotation of weight copies larger than L2, so weights come from device memory.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "harness/bench/gpu_timer.h"
#include "harness/bench/model_preset.h"
#include "harness/executor/executor.h"
#include "harness/gguf/gguf_file.h"

namespace qgemv {

struct KernelCase {
  std::string preset;  // a preset's or a GGUF model's name
  Projection projection;
  Path path = Path::kMwv;
  // A GGUF tensor whose bytes are timed; without one, random weights of the shape.
  std::shared_ptr<const gguf::GgufFile> file;
  std::string tensor;
  std::string name() const;  // kernel/<preset>/<projection>/<path>/<n>x<k>
};

// Every representable projection of the presets on every path, shape-major so that the
// rotation set is loaded once per shape.
std::vector<KernelCase> kernel_cases(const std::vector<std::string>& presets,
                                     const std::vector<Path>& paths);

// Every projection of a GGUF model (its first Q4_K tensor of each) on every path, timed on the
// tensor's own bytes.
std::vector<KernelCase> kernel_cases(std::shared_ptr<const gguf::GgufFile> file,
                                     const std::vector<Path>& paths);

// The fewest bytes a launch must move: weights, input (f32 or Q8_1) and output.
int64_t gemv_bytes(Path p, int64_t n, int64_t k);

struct KernelBenchOptions {
  int64_t rotate_bytes = 0;  // 0: four times the L2 size
  uint64_t seed = 1;
  uint64_t delay_ns = 0;  // a delay kernel inside every timed sample (checks regression gates)
};

class KernelBench {
 public:
  KernelBench(Executor& ex, const KernelBenchOptions& opt, int64_t l2_bytes);
  // Loads the rotation for the case's shape (unless already loaded), draws the input and
  // poisons the output.
  void prepare(const KernelCase& c);
  double sample_us();
  // Throws unless every output element was written with a finite value.
  void check_output() const;
  int copies() const { return int(copies_.size()); }

 private:
  Executor& ex_;
  KernelBenchOptions opt_;
  int64_t rotate_bytes_;
  KernelCase case_;
  std::string loaded_;  // the weights the rotation holds
  std::vector<std::string> copies_;
  size_t next_ = 0;
  DeviceBuffer<float> x_, y_;
  DeviceBuffer<BlockQ8_1> xq_;
  GatedTimer timer_;
};

}  // namespace qgemv
