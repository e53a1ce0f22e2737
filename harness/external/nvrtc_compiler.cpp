#include "harness/external/nvrtc_compiler.h"

#include <dlfcn.h>
#include <nvrtc.h>

#include <cstdlib>
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
  std::string library;  // the file NVRTC was loaded from
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
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(n.create), &info) != 0 && info.dli_fname != nullptr)
      n.library = info.dli_fname;
    return n;
  }();
  return api;
}

}  // namespace

std::vector<std::string> toolkit_include_candidates() {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const char* var : {"CUDA_HOME", "CUDA_PATH"})
    if (const char* v = std::getenv(var); v != nullptr && *v != '\0')
      out.push_back((fs::path(v) / "include").string());
  try {
    // lib64/libnvrtc.so.13 (or targets/x86_64-linux/lib/...): the toolkit's include is beside
    // the library's folder. Links are resolved first: /usr/local/cuda/lib64 may point elsewhere.
    std::error_code ec;
    const fs::path lib = fs::canonical(nvrtc().library, ec);
    if (!ec) out.push_back((lib.parent_path().parent_path() / "include").string());
  } catch (const ExternalKernelError&) {  // no NVRTC: nothing to compile with anyway
  }
  out.push_back("/usr/local/cuda/include");
  return out;
}

std::vector<std::string> toolkit_include_dirs() {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const std::string& dir : toolkit_include_candidates()) {
    if (!fs::is_regular_file(fs::path(dir) / "cuda_fp16.h", ec)) continue;
    std::vector<std::string> out = {dir};
    if (fs::is_directory(fs::path(dir) / "cccl", ec))
      out.push_back((fs::path(dir) / "cccl").string());
    return out;
  }
  return {};
}

CompiledKernel nvrtc_compile(const std::string& file, const std::string& source,
                             const std::string& entry, int arch,
                             const std::vector<std::string>& options) {
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
  const std::string folder = std::filesystem::path(file).parent_path().string();
  std::vector<std::string> args = {"--gpu-architecture=sm_" + std::to_string(arch), "-std=c++17",
                                   "-lineinfo", "-I" + (folder.empty() ? "." : folder)};
  args.insert(args.end(), options.begin(), options.end());
  for (const std::string& dir : toolkit_include_dirs()) args.push_back("-I" + dir);
  std::vector<const char*> opts;
  for (const std::string& a : args) opts.push_back(a.c_str());
  const nvrtcResult compiled = n.compile(prog, int(opts.size()), opts.data());
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
