#include "harness/external/external_kernel.h"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "harness/external/nvrtc_compiler.h"
#include "harness/io/read_whole_file.h"
#include "kernels/launch/launch.h"
#include "kernels/launch/launch_config.h"
#include "kernels/launch/path_registry.h"

namespace qgemv {
namespace {

struct ExternalKernel {
  std::string file, entry, lowered;
  LaunchSpec spec;
  CUfunction function = nullptr;
  bool overlap = false;  // dependent launch asked for and the code has the wait
  PathInfo info;
};

const DriverApi& api() { return driver_api(); }

// At most `limit` + 1 bytes; the error names the fault (no such file, a directory, ...).
std::string read_file(const std::string& path, bool text,
                      size_t limit = std::string().max_size() - 1) {
  std::string s;
  try {
    s = read_whole_file(path, limit);
  } catch (const std::runtime_error& e) {
    throw ExternalKernelError(e.what());
  }
  if (text) s.push_back('\0');  // cuModuleLoadData takes PTX as a C string
  return s;
}

size_t param_size(KernelParam p) {
  return p == KernelParam::kN || p == KernelParam::kK ? sizeof(int) : sizeof(void*);
}

// Where each spec parameter lies in the kernel's parameter buffer: aligned to its size, as the
// ABI lays out parameters. A struct of two pointers (qgemv's dp4a takes x and the status word
// that way) lies exactly where the two pointers do.
std::vector<size_t> param_offsets(const std::vector<KernelParam>& params, size_t* total) {
  std::vector<size_t> offsets;
  size_t at = 0;
  for (KernelParam p : params) {
    const size_t size = param_size(p);
    at = (at + size - 1) / size * size;
    offsets.push_back(at);
    at += size;
  }
  *total = at;
  return offsets;
}

// The driver knows the entry's parameters (cuFuncGetParamInfo, driver 12.4 and later): each
// must begin where a spec parameter begins, and they must end where the spec's end.
void check_params(const ExternalKernel& e) {
  if (api().func_get_param_info == nullptr) return;
  std::vector<std::pair<size_t, size_t>> have;  // offset, size
  for (size_t i = 0;; ++i) {
    size_t offset = 0, size = 0;
    if (api().func_get_param_info(e.function, i, &offset, &size) != CUDA_SUCCESS) break;
    have.emplace_back(offset, size);
  }
  size_t total = 0;
  const std::vector<size_t> want = param_offsets(e.spec.params, &total);
  bool match = !have.empty() && have.back().first + have.back().second == total;
  for (const auto& [offset, size] : have)
    match = match && std::count(want.begin(), want.end(), offset) == 1;
  if (match) return;
  std::string spec, entry;
  for (size_t i = 0; i < want.size(); ++i)
    spec += std::string(i ? ", " : "") + param_name(e.spec.params[i]) + " " +
            std::to_string(param_size(e.spec.params[i])) + " bytes at " + std::to_string(want[i]);
  for (const auto& [offset, size] : have)
    entry +=
        (entry.empty() ? "" : ", ") + std::to_string(size) + " bytes at " + std::to_string(offset);
  throw ExternalKernelError(e.file + ":" + e.entry + ": the spec's params (" + spec +
                            ") do not match the entry's " + std::to_string(have.size()) +
                            " parameter(s) (" + (entry.empty() ? "none" : entry) + ")");
}

// The module's entry names; nullopt where the driver cannot list them (before CUDA 12.4).
std::optional<std::vector<std::string>> entry_names(CUmodule module) {
  if (!api().module_function_count || !api().module_enumerate_functions || !api().func_get_name)
    return std::nullopt;
  unsigned count = 0;
  if (api().module_function_count(&count, module) != CUDA_SUCCESS) return std::nullopt;
  std::vector<CUfunction> fns(count);
  if (count > 0 && api().module_enumerate_functions(fns.data(), count, module) != CUDA_SUCCESS)
    return std::nullopt;
  std::vector<std::string> names;
  for (CUfunction f : fns) {
    const char* name = nullptr;
    if (api().func_get_name(&name, f) == CUDA_SUCCESS && name) names.emplace_back(name);
  }
  return names;
}

// The entry `name` (exactly), or else one named by a part of its mangled name that no other
// entry shares (a kernel in an anonymous namespace has a per-file hash in its name;
// "gemv_mwv_kernelILi4ELi32ENS1_8F32Input" still names one instance). Throws if several match;
// false if none does. Where the driver lists the entries, no lookup is made that can fail:
// compute-sanitizer reports a failed cuModuleGetFunction as an error, and mutate's triage would
// then leave memcheck out of every kernel named by part.
bool find_entry(CUmodule module, const std::string& name, const std::string& part,
                CUfunction* out) {
  const std::optional<std::vector<std::string>> names = entry_names(module);
  if (!names) return api().module_get_function(out, module, name.c_str()) == CUDA_SUCCESS;
  std::vector<std::string> matches;
  for (const std::string& n : *names) {
    if (n == name) return api().module_get_function(out, module, n.c_str()) == CUDA_SUCCESS;
    if (n.find(part) != std::string::npos) matches.push_back(n);
  }
  if (matches.size() == 1) {
    // Enumerated handles may not be loaded yet (lazy loading): look the whole name up.
    return api().module_get_function(out, module, matches.front().c_str()) == CUDA_SUCCESS;
  }
  if (matches.size() > 1) {
    std::string all;
    for (const auto& m : matches) all += "\n  " + m;
    throw ExternalKernelError("'" + part + "' is part of " + std::to_string(matches.size()) +
                              " entries' names; name one:" + all);
  }
  return false;
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
  const std::vector<size_t> offsets = param_offsets(e.spec.params, &total);
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
  void* extra[] = {CU_LAUNCH_PARAM_BUFFER_POINTER, buffer.data(), CU_LAUNCH_PARAM_BUFFER_SIZE,
                   &total, CU_LAUNCH_PARAM_END};
  const int64_t shared = eval_formula(e.spec.shared, g.n, g.k);
  CUlaunchAttribute overlap{};
  overlap.id = CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION;
  overlap.value.programmaticStreamSerializationAllowed = 1;
  CUlaunchConfig config{};
  config.gridDimX = s.grid;
  config.gridDimY = config.gridDimZ = 1;
  config.blockDimX = s.block;
  config.blockDimY = config.blockDimZ = 1;
  config.sharedMemBytes = unsigned(shared);
  config.hStream = stream;
  config.attrs = e.overlap ? &overlap : nullptr;
  config.numAttrs = e.overlap ? 1 : 0;
  if (shared >= (48 << 10))
    api().func_set_attribute(e.function, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                             int(shared));
  const CUresult r = api().launch_kernel_ex(&config, e.function, nullptr, extra);
  if (r != CUDA_SUCCESS)
    throw ExternalKernelError(e.file + ":" + e.entry + ": launch of " + std::to_string(s.grid) +
                              " CTAs of " + std::to_string(s.block) + " threads, " +
                              std::to_string(shared) +
                              " bytes of shared memory failed: " + api().describe(r));
}

const char* kernel_name(const PathInfo& p, int64_t) {
  return static_cast<const ExternalKernel*>(p.context)->entry.c_str();
}

}  // namespace

namespace {

struct KernelArgs {
  std::string file, entry, ext;
  LaunchSpec spec;
};

// --kernel and --launch checked as far as they can be without a GPU.
KernelArgs parse_kernel_args(const std::string& kernel, const std::string& launch_text) {
  const size_t colon = kernel.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == kernel.size())
    throw ExternalArgsError("--kernel " + kernel + ": expects FILE:ENTRY");
  KernelArgs a;
  a.file = kernel.substr(0, colon);
  a.entry = kernel.substr(colon + 1);
  a.ext = a.file.substr(a.file.find_last_of('.') + 1);
  if (a.ext != "ptx" && a.ext != "cubin" && a.ext != "cu")
    throw ExternalArgsError("--kernel " + kernel + ": expects a .ptx, .cubin or .cu file");
  if (read_file(a.file, false, 0).empty()) throw ExternalKernelError(a.file + ": is empty");
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
  const std::string& ext = args.ext;
  if (cudaSetDevice(device) != cudaSuccess || cudaFree(nullptr) != cudaSuccess)
    throw ExternalKernelError("--kernel: CUDA device " + std::to_string(device) +
                              " cannot be used: " + cudaGetErrorString(cudaGetLastError()));
  std::string image;
  e->lowered = e->entry;
  if (ext == "cu") {
    int major = 0, minor = 0;
    cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device);
    cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device);
    const CompiledKernel c = nvrtc_compile(e->file, read_file(e->file, false), e->entry,
                                           10 * major + minor, e->spec.compile_options);
    image.assign(c.cubin.begin(), c.cubin.end());
    e->lowered = c.lowered_entry;
  } else {
    image = read_file(e->file, ext == "ptx");
  }
  CUmodule module = nullptr;  // kept for the process's life, as the path is
  if (const CUresult r = api().module_load_data(&module, image.data()); r != CUDA_SUCCESS)
    throw ExternalKernelError(e->file +
                              ": the driver cannot load it as a module: " + api().describe(r));
  // Unloaded again if the kernel turns out unusable (mutation testing loads hundreds).
  struct Unload {
    CUmodule m;
    ~Unload() {
      if (m) api().module_unload(m);
    }
  } unload{module};
  if (!find_entry(module, e->lowered, e->entry, &e->function)) {
    std::string listed;
    if (const auto names = entry_names(module)) {
      for (size_t i = 0; i < names->size() && i < 20; ++i)
        listed += (i ? ", " : "; its entries: ") + (*names)[i];
      if (names->size() > 20) listed += " and " + std::to_string(names->size() - 20) + " more";
    } else {
      listed = " (an entry named by a part of its name needs a driver of CUDA 12.4 or later)";
    }
    throw ExternalKernelError(e->file + ": no entry '" + e->entry + "' in it" + listed);
  }
  check_params(*e);
  int ptx = 0, binary = 0, max_threads = 0;
  api().func_get_attribute(&ptx, CU_FUNC_ATTRIBUTE_PTX_VERSION, e->function);
  api().func_get_attribute(&binary, CU_FUNC_ATTRIBUTE_BINARY_VERSION, e->function);
  api().func_get_attribute(&max_threads, CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, e->function);
  if (e->spec.threads > max_threads)
    throw ExternalKernelError(
        e->file + ":" + e->entry + ": threads=" + std::to_string(e->spec.threads) +
        " but the entry allows at most " + std::to_string(max_threads) + " per CTA");
  e->overlap = e->spec.dependent_launch && ptx >= 90 && binary >= 90;
  unload.m = nullptr;  // usable: kept
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
