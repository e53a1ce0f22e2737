#include <iostream>
#include <limits>

#include "harness/cli/args.h"
#include "harness/cli/commands.h"
#include "harness/cli/external_args.h"
#include "harness/cli/paths_lib_args.h"
#include "harness/cli/selection.h"
#include "harness/executor/device_info.h"
#include "harness/gguf/gguf_file.h"
#include "harness/gguf/llama_tensors.h"
#include "harness/io/output_file.h"
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
    const gguf::TensorInfo* t = gguf::find_weight_tensor(f, name);
    if (!t)
      throw gguf::GgufError(*file + ": no tensor named '" + name + "', with or without .weight (" +
                            std::to_string(f.tensors().size()) + " tensors; qgemv gguf " + *file +
                            " lists them)");
    return gguf::q4k_matrix(f, *t);
  }
  if (args.get("tensor")) throw UsageError("--tensor needs --gguf");
  // Shapes are the command line's: a bad one is a usage error naming the flag. A shape too
  // large for any file is the weights file's mismatch, named by read_q4k_file.
  const int64_t n = args.require_int("n"), k = args.require_int("k");
  if (n < 1) throw UsageError("--n must be at least 1, got " + std::to_string(n));
  if (k < kQK || k % kQK != 0)
    throw UsageError("--k must be a positive multiple of 256, got " + std::to_string(k));
  return read_q4k_file(args.require("weights"), n, k);
}

}  // namespace

int run_gemv(int argc, char** argv) {
  const Args args(argc, argv, 2,
                  {"path", "n", "k", "weights", "input", "out", "outputs-per-block", "device",
                   "gguf", "tensor", kKernelOption, kLaunchOption, kPathsLibOption},
                  {"help"});
  if (args.has("help")) {
    std::cout
        << "usage: qgemv gemv --path P --n N --k K --weights W.q4k --input x.f32 --out y.f32\n"
           "                  [--outputs-per-block 1|2|4|8] [--device N] [--paths-lib FILE]\n"
           "       qgemv gemv --path P --gguf FILE --tensor NAME --input x.f32 --out y.f32\n"
           "                  [--outputs-per-block 1|2|4|8] [--device N] [--paths-lib FILE]\n"
           "Runs one GEMV y = W x. W.q4k holds n rows of k/256 raw Q4_K blocks (GGUF layout),\n"
           "x.f32 k little-endian floats; y.f32 gets n floats. With --gguf, W is the file's Q4_K\n"
           "tensor NAME, with or without its .weight suffix (k = its first dimension, n = its\n"
           "second; qgemv gguf FILE lists the tensors).\n"
           "paths: reference (CPU, double, rounded to f32), "
        << path_names()
        << ".\nQ8 paths quantize x on the GPU first (mwv_q8_dsum's blocks hold s = d * sum q).\n"
           "--outputs-per-block (default 4): rows per CTA of the paths that take it. --device N\n"
           "(default 0): the CUDA device GPU paths run on. --out is replaced only once y is\n"
           "fully written; a symbolic link is written through, a device or FIFO in place; an\n"
           "input file is never replaced (docs/OUTPUT_FILES.md).\n"
        << kExternalKernelHelp << kPathsLibHelp
        << "Exit 2 on a bad command line (n < 1, k not a positive multiple of 256, ...) or an\n"
           "--out the rule refuses (an input, a directory, a file you may not write); 3 when a\n"
           "GPU path is asked for and there is no CUDA device; 4 when a file is unreadable or\n"
           "does not match the shape, or writing --out fails.\n"
           "Reference: docs/gemv.md\n";
    return kExitOk;
  }
  const auto external = external_kernel_arg(args);
  const PathsLibrary* paths_lib = paths_library_arg(args);  // before --path is looked up
  const std::string path = external ? "" : args.require("path");
  const int64_t opb = args.get_int("outputs-per-block", 4);
  if (opb != 1 && opb != 2 && opb != 4 && opb != 8)
    throw UsageError("--outputs-per-block must be 1, 2, 4 or 8, got " + std::to_string(opb));
  const int device = int(args.get_int_in("device", 0, 0, std::numeric_limits<int>::max()));
  std::optional<Path> gpu_path;
  if (!external && path != "reference") gpu_path = select_path(path);
  const std::string out = args.require("out");
  std::vector<std::string> inputs = {args.require("input")};
  for (const char* in : {"weights", "gguf"})
    if (auto f = args.get(in)) inputs.push_back(*f);
  check_output_file(out, inputs, "--out");
  const Q4KMatrix w = gemv_weights(args);
  const std::vector<float> x = read_f32_file(args.require("input"), w.k);
  std::vector<float> y;
  if (!gpu_path && !external) {
    const ReferenceGemv r = reference_gemv_f32(w, x);
    y.assign(r.y.data(), r.y.data() + r.y.size());
  } else {
    const DeviceInfo d = query_device(device);
    if (!d.available) {
      std::cerr << "qgemv gemv: " << (external ? "--kernel " + external->kernel : "path " + path)
                << " needs a GPU; no CUDA device: " << d.reason << "\n";
      return kExitNoDevice;
    }
    Executor ex(device);
    if (paths_lib) paths_lib->prepare(device);
    if (external) gpu_path = load_external(*external, device);
    ex.weights().load("w", w, ex.stream());
    y = gpu_gemv(ex, *gpu_path, Form::kInto, "w", w, x, int(opb));
  }
  write_f32_file(out, y);
  std::cerr << "wrote " << y.size() << " floats to " << out << "\n";
  return kExitOk;
}

}  // namespace qgemv::cli
