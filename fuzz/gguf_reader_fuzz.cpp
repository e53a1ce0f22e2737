// libFuzzer target for the GGUF reader: any bytes must parse or be rejected with a GgufError;
// anything else (another exception, a crash, a read outside the input under AddressSanitizer,
// undefined behaviour under UBSan) is a finding. Built and run by scripts/fuzz-gguf.
#include <cstddef>
#include <cstdint>

#include "harness/gguf/ggml_type.h"
#include "harness/gguf/gguf_file.h"
#include "harness/gguf/llama_tensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace qgemv::gguf;
  try {
    const GgufFile f = GgufFile::parse({data, size}, "fuzz.gguf");
    size_t described = 0;
    for (const auto& [key, value] : f.metadata()) described += value.describe().size();
    // Every tensor's bytes are read, so an unchecked extent shows up as an overflow.
    uint8_t sum = uint8_t(described);
    for (const TensorInfo& t : f.tensors())
      for (uint8_t b : f.data(t)) sum = uint8_t(sum + b);
    const LlamaTensors model = llama_tensors(f);
    for (const ProjectionTensor& p : model.q4k) {
      const qgemv::Q4KMatrix w = q4k_matrix(f, *f.find_tensor(p.tensor));
      sum = uint8_t(sum + uint8_t(w.blocks.size()));
    }
    volatile uint8_t sink = sum;
    (void)sink;
  } catch (const GgufError&) {
  }
  return 0;
}
