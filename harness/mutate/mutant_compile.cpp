#include "harness/mutate/mutant_compile.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "harness/external/external_kernel.h"
#include "harness/external/nvrtc_compiler.h"

namespace qgemv {
namespace {

namespace fs = std::filesystem;

std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

bool same_code(const EntryCode& original, const CompiledMutant& mutant) {
  if (!mutant.ok) return false;
  try {
    return entry_code_of_file(mutant.cubin_path, original.symbol).fingerprint ==
           original.fingerprint;
  } catch (const std::exception&) {
    return false;
  }
}

std::string nvcc_path() {
  if (const char* home = std::getenv("CUDA_HOME"))
    if (fs::exists(fs::path(home) / "bin" / "nvcc"))
      return (fs::path(home) / "bin" / "nvcc").string();
  return fs::exists("/usr/local/cuda/bin/nvcc") ? "/usr/local/cuda/bin/nvcc" : "nvcc";
}

CompiledMutant compile_mutant(const MutationOptions& opt, const std::string& file,
                              const std::string& source, const std::string& entry, int arch,
                              const std::string& dir, int id) {
  const auto t0 = std::chrono::steady_clock::now();
  CompiledMutant c;
  const std::string stem = (fs::path(dir) / ("mutant-" + std::to_string(id))).string();
  const std::vector<std::string> options = parse_launch_spec(opt.launch).compile_options;
  c.cubin_path = stem + ".cubin";
  c.entry = entry;
  if (opt.compiler == "nvcc") {
    std::ofstream(stem + ".cu") << source;
    std::string cmd =
        shell_quoted(nvcc_path()) + " -cubin -std=c++20 -lineinfo -arch=sm_" + std::to_string(arch);
    for (const std::string& inc : opt.includes) cmd += " -I" + shell_quoted(inc);
    for (const std::string& o : options) cmd += " " + shell_quoted(o);
    cmd += " -I" + shell_quoted(fs::path(file).parent_path().string());
    cmd += " -o " + shell_quoted(c.cubin_path) + " " + shell_quoted(stem + ".cu") + " >" +
           shell_quoted(stem + ".log") + " 2>&1";
    c.ok = std::system(cmd.c_str()) == 0;
    if (!c.ok) {
      std::ifstream log(stem + ".log");
      std::getline(log, c.error);
      c.error = "nvcc: " + c.error;
    }
  } else {
    try {
      const CompiledKernel k = nvrtc_compile(file, source, entry, arch, options);
      std::ofstream(c.cubin_path, std::ios::binary).write(k.cubin.data(), long(k.cubin.size()));
      c.entry = k.lowered_entry;
      c.ok = true;
    } catch (const std::exception& e) {
      c.error = e.what();
    }
  }
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return c;
}

}  // namespace qgemv
