#include <iostream>

#include "harness/cli/args.h"
#include "harness/cli/commands.h"
#include "harness/executor/device_info.h"
#include "harness/gguf/gguf_file.h"
#include "harness/gguf/llama_tensors.h"
#include "harness/io/raw_files.h"
#include "harness/verify/gpu_gemv.h"
#include "reference/gemv.h"

namespace qgemv::cli {
namespace {

Q4KMatrix gemv_weights(const Args& args) {
  if (auto file = args.get("gguf")) {
    for (const char* not_with : {"n", "k", "weights"})
      if (args.get(not_with))
        throw UsageError(std::string("--") + not_with +
                         " does not go with --gguf (the tensor has its shape)");
    const std::string name = args.require("tensor");
    const gguf::GgufFile f = gguf::GgufFile::open(*file);
    const gguf::TensorInfo* t = f.find_tensor(name);
    if (!t)
      throw gguf::GgufError(*file + ": no tensor named '" + name + "' (" +
                            std::to_string(f.tensors().size()) + " tensors)");
    return gguf::q4k_matrix(f, *t);
  }
  if (args.get("tensor")) throw UsageError("--tensor needs --gguf");
  const int64_t n = args.require_int("n"), k = args.require_int("k");
  return read_q4k_file(args.require("weights"), n, k);
}

}  // namespace

int run_gemv(int argc, char** argv) {
  const Args args(argc, argv, 2,
                  {"path", "n", "k", "weights", "input", "out", "outputs-per-block", "device",
                   "gguf", "tensor"},
                  {"help"});
  if (args.has("help")) {
    std::cout
        << "usage: qgemv gemv --path P --n N --k K --weights W.q4k --input x.f32 --out y.f32\n"
           "                  [--outputs-per-block 4]\n"
           "       qgemv gemv --path P --gguf FILE --tensor NAME --input x.f32 --out y.f32\n"
           "Runs one GEMV y = W x. W.q4k holds n rows of k/256 raw Q4_K blocks (GGUF layout),\n"
           "x.f32 k little-endian floats; y.f32 gets n floats. With --gguf, W is the file's Q4_K\n"
           "tensor NAME (k = its first dimension, n = its second).\n"
           "paths: reference (CPU, double, rounded to f32), q4k, tiled, chunked, dp4a,\n"
           "       q4k_q8, mwv, mwv_q8 (Q8 paths quantize x on the GPU first).\n"
           "Exit 3 when a GPU path is asked for and there is no CUDA device; 4 when a file is\n"
           "unreadable or does not match the shape.\n";
    return kExitOk;
  }
  const std::string path = args.require("path");
  const int opb = int(args.get_int("outputs-per-block", 4));
  const auto gpu_path = parse_path(path);
  if (path != "reference" && !gpu_path) throw UsageError("unknown path '" + path + "'");
  const Q4KMatrix w = gemv_weights(args);
  const std::vector<float> x = read_f32_file(args.require("input"), w.k);
  const std::string out = args.require("out");
  std::vector<float> y;
  if (!gpu_path) {
    const ReferenceGemv r = reference_gemv_f32(w, x);
    y.assign(r.y.data(), r.y.data() + r.y.size());
  } else {
    const DeviceInfo d = query_device();
    if (!d.available) {
      std::cerr << "qgemv gemv: path " << path << " needs a GPU; no CUDA device: " << d.reason
                << "\n";
      return kExitNoDevice;
    }
    y = gpu_gemv_once(*gpu_path, w, x, opb);
  }
  write_f32_file(out, y);
  std::cerr << "wrote " << y.size() << " floats to " << out << "\n";
  return kExitOk;
}

}  // namespace qgemv::cli
