#include "harness/external/loaded_entry.h"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <optional>

#include "harness/external/nvrtc_compiler.h"
#include "harness/io/read_whole_file.h"

namespace qgemv {
namespace {

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

// The driver knows the entry's parameters (cuFuncGetParamInfo, driver 12.4 and later): each
// must begin where a wanted parameter begins, and they must end where the wanted ones end.
void check_params(CUfunction f, const std::string& where, const std::vector<size_t>& sizes,
                  const std::vector<std::string>& names) {
  if (api().func_get_param_info == nullptr) return;
  std::vector<std::pair<size_t, size_t>> have;  // offset, size
  for (size_t i = 0;; ++i) {
    size_t offset = 0, size = 0;
    if (api().func_get_param_info(f, i, &offset, &size) != CUDA_SUCCESS) break;
    have.emplace_back(offset, size);
  }
  size_t total = 0;
  const std::vector<size_t> want = param_offsets(sizes, &total);
  bool match = !have.empty() && have.back().first + have.back().second == total;
  for (const auto& [offset, size] : have)
    match = match && std::count(want.begin(), want.end(), offset) == 1;
  if (match) return;
  std::string spec, entry;
  for (size_t i = 0; i < want.size(); ++i)
    spec += std::string(i ? ", " : "") + names[i] + " " + std::to_string(sizes[i]) + " bytes at " +
            std::to_string(want[i]);
  for (const auto& [offset, size] : have)
    entry +=
        (entry.empty() ? "" : ", ") + std::to_string(size) + " bytes at " + std::to_string(offset);
  throw ExternalKernelError(where + ": the spec's params (" + spec + ") do not match the entry's " +
                            std::to_string(have.size()) + " parameter(s) (" +
                            (entry.empty() ? "none" : entry) + ")");
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

}  // namespace

EntryArg parse_entry_arg(const std::string& option, const std::string& value) {
  const size_t colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == value.size())
    throw ExternalArgsError(option + " " + value + ": expects FILE:ENTRY");
  EntryArg a;
  a.file = value.substr(0, colon);
  a.entry = value.substr(colon + 1);
  a.ext = a.file.substr(a.file.find_last_of('.') + 1);
  if (a.ext != "ptx" && a.ext != "cubin" && a.ext != "cu")
    throw ExternalArgsError(option + " " + value + ": expects a .ptx, .cubin or .cu file");
  if (read_file(a.file, false, 0).empty()) throw ExternalKernelError(a.file + ": is empty");
  return a;
}

std::vector<size_t> param_offsets(const std::vector<size_t>& sizes, size_t* total) {
  std::vector<size_t> offsets;
  size_t at = 0;
  for (size_t size : sizes) {
    at = (at + size - 1) / size * size;
    offsets.push_back(at);
    at += size;
  }
  *total = at;
  return offsets;
}

LoadedEntry load_entry(const EntryArg& a, int device,
                       const std::vector<std::string>& compile_options,
                       const std::vector<size_t>& param_sizes,
                       const std::vector<std::string>& param_names) {
  if (cudaSetDevice(device) != cudaSuccess || cudaFree(nullptr) != cudaSuccess)
    throw ExternalKernelError(a.file + ": CUDA device " + std::to_string(device) +
                              " cannot be used: " + cudaGetErrorString(cudaGetLastError()));
  LoadedEntry e;
  std::string image;
  e.lowered = a.entry;
  if (a.ext == "cu") {
    int major = 0, minor = 0;
    cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device);
    cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device);
    const CompiledKernel c = nvrtc_compile(a.file, read_file(a.file, false), a.entry,
                                           10 * major + minor, compile_options);
    image.assign(c.cubin.begin(), c.cubin.end());
    e.lowered = c.lowered_entry;
  } else {
    image = read_file(a.file, a.ext == "ptx");
  }
  if (const CUresult r = api().module_load_data(&e.module, image.data()); r != CUDA_SUCCESS)
    throw ExternalKernelError(a.file +
                              ": the driver cannot load it as a module: " + api().describe(r));
  // Unloaded again if the entry turns out unusable (mutation testing loads hundreds).
  struct Unload {
    CUmodule m;
    ~Unload() {
      if (m) api().module_unload(m);
    }
  } unload{e.module};
  if (!find_entry(e.module, e.lowered, a.entry, &e.function)) {
    std::string listed;
    if (const auto names = entry_names(e.module)) {
      for (size_t i = 0; i < names->size() && i < 20; ++i)
        listed += (i ? ", " : "; its entries: ") + (*names)[i];
      if (names->size() > 20) listed += " and " + std::to_string(names->size() - 20) + " more";
    } else {
      listed = " (an entry named by a part of its name needs a driver of CUDA 12.4 or later)";
    }
    throw ExternalKernelError(a.file + ": no entry '" + a.entry + "' in it" + listed);
  }
  check_params(e.function, a.file + ":" + a.entry, param_sizes, param_names);
  api().func_get_attribute(&e.ptx, CU_FUNC_ATTRIBUTE_PTX_VERSION, e.function);
  api().func_get_attribute(&e.binary, CU_FUNC_ATTRIBUTE_BINARY_VERSION, e.function);
  api().func_get_attribute(&e.max_threads, CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, e.function);
  unload.m = nullptr;  // usable: kept
  return e;
}

void launch_entry(const LoadedEntry& e, const std::string& what, unsigned grid, unsigned block,
                  unsigned shared, bool overlap, std::vector<char>& params, CUstream stream) {
  size_t size = params.size();
  void* extra[] = {CU_LAUNCH_PARAM_BUFFER_POINTER, params.data(), CU_LAUNCH_PARAM_BUFFER_SIZE,
                   &size, CU_LAUNCH_PARAM_END};
  CUlaunchAttribute attr{};
  attr.id = CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION;
  attr.value.programmaticStreamSerializationAllowed = 1;
  CUlaunchConfig config{};
  config.gridDimX = grid;
  config.gridDimY = config.gridDimZ = 1;
  config.blockDimX = block;
  config.blockDimY = config.blockDimZ = 1;
  config.sharedMemBytes = shared;
  config.hStream = stream;
  config.attrs = overlap ? &attr : nullptr;
  config.numAttrs = overlap ? 1 : 0;
  if (shared >= (48 << 10))
    api().func_set_attribute(e.function, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                             int(shared));
  const CUresult r = api().launch_kernel_ex(&config, e.function, nullptr, extra);
  if (r != CUDA_SUCCESS)
    throw ExternalKernelError(what + ": launch of " + std::to_string(grid) + " CTAs of " +
                              std::to_string(block) + " threads, " + std::to_string(shared) +
                              " bytes of shared memory failed: " + api().describe(r));
}

}  // namespace qgemv
