#include "harness/external/external_kernel.h"

#include <cuda_runtime_api.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kernels/launch/launch.h"
#include "kernels/launch/launch_config.h"
#include "kernels/launch/path_registry.h"

namespace qgemv {
namespace {

struct ExternalKernel {
  std::string file, entry;
  LaunchSpec spec;
  LoadedEntry loaded;
  bool overlap = false;  // dependent launch asked for and the code has the wait
  PathInfo info;
};

size_t param_size(KernelParam p) {
  return p == KernelParam::kN || p == KernelParam::kK ? sizeof(int) : sizeof(void*);
}

// A struct of two pointers (qgemv's dp4a takes x and the status word that way) lies exactly
// where the two pointers do.
std::vector<size_t> param_sizes(const LaunchSpec& spec) {
  std::vector<size_t> sizes;
  for (KernelParam p : spec.params) sizes.push_back(param_size(p));
  return sizes;
}

LaunchShape shape(const PathInfo& p, int64_t n, int64_t k, int) {
  const auto& e = *static_cast<const ExternalKernel*>(p.context);
  const int64_t grid = eval_formula(e.spec.grid, n, k);
  if (grid < 1 || grid > INT32_MAX)
    throw ExternalKernelError(e.entry + ": grid=" + e.spec.grid + " gives " + std::to_string(grid) +
                              " CTAs for n=" + std::to_string(n) + " k=" + std::to_string(k));
  return {unsigned(grid), unsigned(e.spec.threads)};
}

void launch(const GemvLaunch& g, LaunchShape s, cudaStream_t stream) {
  const auto& e = *static_cast<const ExternalKernel*>(g.path->context);
  const void* w = g.weights;
  const void* x = g.input;
  float* y = g.output;
  const int n = int(g.n), k = int(g.k);
  unsigned* status = g.status;
  size_t total = 0;
  const std::vector<size_t> offsets = param_offsets(param_sizes(e.spec), &total);
  std::vector<char> buffer(total, 0);
  for (size_t i = 0; i < offsets.size(); ++i) {
    const void* from = nullptr;
    switch (e.spec.params[i]) {
      case KernelParam::kWeights:
        from = &w;
        break;
      case KernelParam::kInput:
        from = &x;
        break;
      case KernelParam::kOutput:
        from = &y;
        break;
      case KernelParam::kN:
        from = &n;
        break;
      case KernelParam::kK:
        from = &k;
        break;
      case KernelParam::kStatus:
        from = &status;
        break;
    }
    std::memcpy(buffer.data() + offsets[i], from, param_size(e.spec.params[i]));
  }
  launch_entry(e.loaded, e.file + ":" + e.entry, s.grid, s.block,
               unsigned(eval_formula(e.spec.shared, g.n, g.k)), e.overlap, buffer, stream);
}

const char* kernel_name(const PathInfo& p, int64_t) {
  return static_cast<const ExternalKernel*>(p.context)->entry.c_str();
}

struct KernelArgs {
  std::string file, entry, ext;
  LaunchSpec spec;
};

// --kernel and --launch checked as far as they can be without a GPU.
KernelArgs parse_kernel_args(const std::string& kernel, const std::string& launch_text) {
  const EntryArg entry = parse_entry_arg("--kernel", kernel);
  KernelArgs a{entry.file, entry.entry, entry.ext, {}};
  try {
    a.spec = parse_launch_spec(launch_text);
  } catch (const LaunchSpecError& err) {
    const std::string what = "--launch: " + std::string(err.what());
    if (launch_spec_names_file(launch_text)) throw LaunchSpecError(what);
    throw ExternalArgsError(what);
  }
  if (a.ext != "cu" && !a.spec.compile_options.empty())
    throw ExternalArgsError("--launch: compile_options applies to a .cu kernel, not to " + a.file);
  if (a.spec.name.empty()) a.spec.name = a.entry;
  return a;
}

// Registers the path of a kernel, loaded (launch) or only declared.
Path register_external(std::unique_ptr<ExternalKernel> e,
                       void (*launch_fn)(const GemvLaunch&, LaunchShape, cudaStream_t)) {
  e->info = PathInfo{.name = e->spec.name,
                     .input = e->spec.input,
                     .arithmetic = e->spec.arithmetic,
                     .rounding_extra = e->spec.rounding_extra,
                     .takes_outputs_per_block = false,
                     .shape = shape,
                     .launch = launch_fn,
                     .kernel_name = kernel_name,
                     .context = e.get()};
  static std::vector<std::unique_ptr<ExternalKernel>> loaded;  // registered paths point here
  static std::mutex m;
  const std::lock_guard<std::mutex> lock(m);
  const Path p = register_path(e->info);
  loaded.push_back(std::move(e));
  return p;
}

}  // namespace

void check_external_kernel_args(const std::string& kernel, const std::string& launch_text) {
  parse_kernel_args(kernel, launch_text);
}

Path load_external_kernel(const std::string& kernel, const std::string& launch_text, int device) {
  KernelArgs args = parse_kernel_args(kernel, launch_text);
  auto e = std::make_unique<ExternalKernel>();
  e->file = std::move(args.file);
  e->entry = std::move(args.entry);
  e->spec = std::move(args.spec);
  std::vector<std::string> names;
  for (KernelParam p : e->spec.params) names.push_back(param_name(p));
  e->loaded = load_entry({e->file, e->entry, args.ext}, device, e->spec.compile_options,
                         param_sizes(e->spec), names);
  if (e->spec.threads > e->loaded.max_threads) {
    driver_api().module_unload(e->loaded.module);
    throw ExternalKernelError(
        e->file + ":" + e->entry + ": threads=" + std::to_string(e->spec.threads) +
        " but the entry allows at most " + std::to_string(e->loaded.max_threads) + " per CTA");
  }
  e->overlap = e->spec.dependent_launch && e->loaded.ptx >= 90 && e->loaded.binary >= 90;
  return register_external(std::move(e), launch);
}

Path declare_external_kernel(const std::string& kernel, const std::string& launch_text) {
  KernelArgs args = parse_kernel_args(kernel, launch_text);
  auto e = std::make_unique<ExternalKernel>();
  e->file = std::move(args.file);
  e->entry = std::move(args.entry);
  e->spec = std::move(args.spec);
  return register_external(std::move(e), [](const GemvLaunch& g, LaunchShape, cudaStream_t) {
    throw std::logic_error(std::string(path_name(g.path)) +
                           ": declared only (a supervisor's path); its workers load the kernel");
  });
}

}  // namespace qgemv
