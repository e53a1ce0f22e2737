#include "harness/external/nvrtc_compiler.h"

#include <dlfcn.h>
#include <nvrtc.h>

#include <filesystem>

#include "harness/external/driver_api.h"

namespace qgemv {
namespace {

struct Nvrtc {
  decltype(&nvrtcCreateProgram) create = nullptr;
  decltype(&nvrtcDestroyProgram) destroy = nullptr;
  decltype(&nvrtcAddNameExpression) add_name = nullptr;
  decltype(&nvrtcCompileProgram) compile = nullptr;
  decltype(&nvrtcGetLoweredName) lowered = nullptr;
  decltype(&nvrtcGetProgramLogSize) log_size = nullptr;
  decltype(&nvrtcGetProgramLog) log = nullptr;
  decltype(&nvrtcGetCUBINSize) cubin_size = nullptr;
  decltype(&nvrtcGetCUBIN) cubin = nullptr;
  decltype(&nvrtcGetErrorString) error = nullptr;
};

const Nvrtc& nvrtc() {
  static const Nvrtc api = [] {
    void* lib = nullptr;
    std::string tried;
    for (const char* name : {"libnvrtc.so.13", "/usr/local/cuda/lib64/libnvrtc.so.13",
                             "libnvrtc.so", "/usr/local/cuda/lib64/libnvrtc.so"}) {
      if ((lib = dlopen(name, RTLD_NOW | RTLD_LOCAL)) != nullptr) break;
      tried += std::string(tried.empty() ? "" : ", ") + name;
    }
    if (lib == nullptr)
      throw ExternalKernelError(
          "compiling a .cu file needs NVRTC from the CUDA toolkit; not found (" + tried + ")");
    Nvrtc n;
    auto sym = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, name));
      if (fn == nullptr) throw ExternalKernelError(std::string("NVRTC lacks ") + name);
    };
    sym(n.create, "nvrtcCreateProgram");
    sym(n.destroy, "nvrtcDestroyProgram");
    sym(n.add_name, "nvrtcAddNameExpression");
    sym(n.compile, "nvrtcCompileProgram");
    sym(n.lowered, "nvrtcGetLoweredName");
    sym(n.log_size, "nvrtcGetProgramLogSize");
    sym(n.log, "nvrtcGetProgramLog");
    sym(n.cubin_size, "nvrtcGetCUBINSize");
    sym(n.cubin, "nvrtcGetCUBIN");
    sym(n.error, "nvrtcGetErrorString");
    return n;
  }();
  return api;
}

}  // namespace

CompiledKernel nvrtc_compile(const std::string& file, const std::string& source,
                             const std::string& entry, int arch) {
  const Nvrtc& n = nvrtc();
  nvrtcProgram prog = nullptr;
  auto check = [&](nvrtcResult r, const char* what) {
    if (r != NVRTC_SUCCESS) throw ExternalKernelError(file + ": NVRTC " + what + ": " + n.error(r));
  };
  check(n.create(&prog, source.c_str(), file.c_str(), 0, nullptr, nullptr), "create");
  struct Destroy {
    const Nvrtc& n;
    nvrtcProgram* p;
    ~Destroy() { n.destroy(p); }
  } destroy{n, &prog};
  check(n.add_name(prog, entry.c_str()), "name expression");
  const std::string arch_flag = "--gpu-architecture=sm_" + std::to_string(arch);
  const std::string dir = "-I" + std::filesystem::path(file).parent_path().string();
  const char* opts[] = {arch_flag.c_str(), "-std=c++17", "-lineinfo", dir.c_str()};
  const nvrtcResult compiled = n.compile(prog, 4, opts);
  CompiledKernel out;
  size_t log_size = 0;
  check(n.log_size(prog, &log_size), "log size");
  out.log.resize(log_size);
  check(n.log(prog, out.log.data()), "log");
  while (!out.log.empty() && (out.log.back() == '\0' || out.log.back() == '\n')) out.log.pop_back();
  if (compiled != NVRTC_SUCCESS)
    throw ExternalKernelError(file + ": NVRTC could not compile it (" + n.error(compiled) + "):\n" +
                              out.log);
  const char* lowered = nullptr;
  if (n.lowered(prog, entry.c_str(), &lowered) != NVRTC_SUCCESS || lowered == nullptr)
    throw ExternalKernelError(file + ": no kernel named '" + entry + "' in it");
  out.lowered_entry = lowered;
  size_t size = 0;
  check(n.cubin_size(prog, &size), "cubin size");
  out.cubin.resize(size);
  check(n.cubin(prog, out.cubin.data()), "cubin");
  return out;
}

}  // namespace qgemv
