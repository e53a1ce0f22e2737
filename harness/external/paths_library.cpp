#include "harness/external/paths_library.h"

#include <cuda_runtime_api.h>
#include <dlfcn.h>

#include <deque>
#include <filesystem>
#include <memory>
#include <set>

#include "harness/executor/cuda_check.h"
#include "kernels/launch/launch.h"
#include "kernels/launch/launch_config.h"
#include "kernels/launch/path_registry.h"
#include "kernels/launch/paths_abi.h"

namespace qgemv {
namespace {

// A loaded row as a registered path: the PathInfo's context points here.
struct LoadedRow {
  const qgemv_path_row* row;
  const PathsLibrary* library;
  std::string name;  // prefix + the row's name
  PathInfo info;
};

// Every library and row ever loaded: registered paths point into them until the process ends.
std::deque<std::unique_ptr<PathsLibrary>>& loaded_libraries() {
  static std::deque<std::unique_ptr<PathsLibrary>> libraries;
  return libraries;
}
std::deque<LoadedRow>& loaded_rows() {
  static std::deque<LoadedRow> rows;
  return rows;
}

const LoadedRow& row_of(const PathInfo& p) { return *static_cast<const LoadedRow*>(p.context); }

// A name must survive the places path names go: comma lists (--path a,b), row keys split at
// '/', CSV cells and command lines.
bool usable_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c == ',' || c == '/' || c == '"' || static_cast<unsigned char>(c) <= ' ') return false;
  return true;
}

// The functions of every loaded row's PathInfo.
LaunchShape loaded_shape(const PathInfo& p, int64_t n, int64_t k, int outputs_per_block) {
  const LoadedRow& r = row_of(p);
  uint32_t grid = 0, block = 0;
  if (r.row->shape == nullptr ||
      r.row->shape(r.row->context, n, k, outputs_per_block, &grid, &block) != 0)
    return {};  // unknown: the shape is for messages and profiles only
  return {grid, block};
}

const char* loaded_kernel_name(const PathInfo& p, int64_t k) {
  const LoadedRow& r = row_of(p);
  const char* name = r.row->kernel_name(r.row->context, k);
  return name ? name : "?";
}

// Enqueues through the library; its runtime's launch error cannot reach this runtime's
// cudaGetLastError, so it is thrown here.
void launch_loaded(const GemvLaunch& g, LaunchShape, CUstream_st* stream) {
  const LoadedRow& r = row_of(g.path.info());
  const qgemv_paths_gemv args{g.weights,           g.input, g.output, g.n, g.k,
                              g.outputs_per_block, g.status};
  if (const int32_t e = r.row->launch(r.row->context, &args, stream); e != 0) {
    throw CudaError(static_cast<cudaError_t>(e),
                    "kernel " + std::string(loaded_kernel_name(g.path.info(), g.k)) + " of path " +
                        r.name + " (" + r.library->file() + ") for " + std::to_string(g.n) + " x " +
                        std::to_string(g.k) + ": " + r.library->error_text(e));
  }
}

[[noreturn]] void fail(const std::string& file, const std::string& why) {
  throw PathsLibraryError(file + ": " + why);
}

template <typename F>
F symbol(void* handle, const char* name) {
  return reinterpret_cast<F>(::dlsym(handle, name));
}

std::string row_problem(const qgemv_path_row& r) {
  if (r.name == nullptr || !usable_name(r.name))
    return "a name that is empty or holds a comma, slash, quote, space or control character";
  if (r.input < QGEMV_PATHS_INPUT_F32 || r.input > QGEMV_PATHS_INPUT_Q8_1_SCALED_SUM)
    return "input " + std::to_string(r.input) + " (0: f32, 1: q8_1, 2: q8_1 with s = d * sum q)";
  if (r.arithmetic < QGEMV_PATHS_ARITHMETIC_F32 ||
      r.arithmetic > QGEMV_PATHS_ARITHMETIC_Q8_1_IN_KERNEL)
    return "arithmetic " + std::to_string(r.arithmetic) + " (0 to 2)";
  if (r.rounding_extra < 0) return "a negative rounding_extra";
  if (r.takes_outputs_per_block != 0 && r.takes_outputs_per_block != 1)
    return "takes_outputs_per_block " + std::to_string(r.takes_outputs_per_block) + " (0 or 1)";
  if (r.launch == nullptr) return "no launch function";
  if (r.kernel_name == nullptr) return "no kernel_name function";
  return {};
}

}  // namespace

std::string PathsLibrary::error_text(int32_t code) const {
  const char* text = error_string_(code);
  return (text ? std::string(text) : "error") + " (" + std::to_string(code) + ")";
}

void PathsLibrary::prepare(int device) const {
  if (const int32_t e = prepare_(device); e != 0)
    throw CudaError(
        static_cast<cudaError_t>(e),
        file_ + ": qgemv_paths_prepare(" + std::to_string(device) + "): " + error_text(e));
}

const PathsLibrary& PathsLibrary::load(const std::string& file, std::string prefix) {
  const bool own_name = prefix.empty();
  if (!own_name && !usable_name(prefix + "x"))
    throw PathsLibraryError("path prefix '" + prefix +
                            "' holds a comma, slash, quote, space or control character");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) fail(file, "no such file");
  // An absolute path, so that dlopen loads this file rather than searching for its name.
  const std::string absolute = std::filesystem::absolute(file).string();
  ::dlerror();
  void* handle = ::dlopen(absolute.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* e = ::dlerror();
    fail(file, std::string("cannot be loaded as a shared library: ") + (e ? e : "dlopen failed"));
  }
  // Closed again on any error below; nothing of it is registered until every check passed.
  std::unique_ptr<void, int (*)(void*)> guard(handle, ::dlclose);
  const auto version = symbol<qgemv_paths_abi_version_fn>(handle, "qgemv_paths_abi_version");
  if (version == nullptr)
    fail(file, "not a qgemv paths library: it does not export qgemv_paths_abi_version");
  if (const uint32_t v = version(); v != QGEMV_PATHS_ABI_VERSION)
    fail(file, "paths ABI version " + std::to_string(v) + ", but this qgemv reads version " +
                   std::to_string(QGEMV_PATHS_ABI_VERSION) +
                   ": build the library with this qgemv's kernels/launch/paths_abi.h");
  const auto get_table = symbol<qgemv_paths_get_table_fn>(handle, "qgemv_paths_get_table");
  const auto prepare = symbol<qgemv_paths_prepare_fn>(handle, "qgemv_paths_prepare");
  const auto error_string = symbol<qgemv_paths_error_string_fn>(handle, "qgemv_paths_error_string");
  for (const auto& [fn, name] :
       {std::pair<const void*, const char*>{reinterpret_cast<const void*>(get_table),
                                            "qgemv_paths_get_table"},
        {reinterpret_cast<const void*>(prepare), "qgemv_paths_prepare"},
        {reinterpret_cast<const void*>(error_string), "qgemv_paths_error_string"}})
    if (fn == nullptr) fail(file, std::string("exports qgemv_paths_abi_version but not ") + name);
  const qgemv_paths_table* table = get_table();
  if (table == nullptr) fail(file, "qgemv_paths_get_table returned no table");
  if (table->count == 0 || table->rows == nullptr) fail(file, "its table holds no paths");
  if (own_name) {
    if (table->library == nullptr || !usable_name(table->library) ||
        std::string_view(table->library).find(':') != std::string_view::npos)
      fail(file,
           "its table's library name, which prefixes its paths, is empty or holds a "
           "colon, comma, slash, quote, space or control character");
    prefix = std::string(table->library) + ":";
  }
  std::set<std::string> names;
  for (size_t i = 0; i < table->count; ++i) {
    const qgemv_path_row& r = table->rows[i];
    if (const std::string problem = row_problem(r); !problem.empty())
      fail(file, "row " + std::to_string(i) + " has " + problem);
    if (!names.insert(r.name).second)
      fail(file, "row " + std::to_string(i) + " repeats the name '" + std::string(r.name) + "'");
    if (find_path(prefix + r.name))
      fail(file, "a path named '" + prefix + r.name +
                     "' exists already (is the library loaded twice under one prefix?)");
  }

  auto lib = std::make_unique<PathsLibrary>();
  lib->file_ = file;
  lib->library_ = table->library ? table->library : "";
  lib->revision_ = table->revision ? table->revision : "";
  guard.release();  // never closed: its rows stay registered for the process's life
  lib->prepare_ = prepare;
  lib->error_string_ = error_string;
  for (size_t i = 0; i < table->count; ++i) {
    const qgemv_path_row& r = table->rows[i];
    LoadedRow& row = loaded_rows().emplace_back();
    row.row = &r;
    row.library = lib.get();
    row.name = prefix + r.name;
    row.info = PathInfo{
        .name = row.name,
        .input = r.input == QGEMV_PATHS_INPUT_F32 ? Activation::kF32 : Activation::kQ8_1,
        .arithmetic = r.arithmetic == QGEMV_PATHS_ARITHMETIC_F32    ? Arithmetic::kF32
                      : r.arithmetic == QGEMV_PATHS_ARITHMETIC_Q8_1 ? Arithmetic::kQ8_1
                                                                    : Arithmetic::kQ8_1InKernel,
        .rounding_extra = r.rounding_extra,
        .takes_outputs_per_block = r.takes_outputs_per_block != 0,
        .shape = loaded_shape,
        .launch = launch_loaded,
        .kernel_name = loaded_kernel_name,
        .context = &row,
        .q8_sum =
            r.input == QGEMV_PATHS_INPUT_Q8_1_SCALED_SUM ? Q8Sum::kScaledSumOfQ : Q8Sum::kSumOfX};
    lib->paths_.push_back(register_path(row.info));
  }
  return *loaded_libraries().emplace_back(std::move(lib));
}

const PathsLibrary& load_paths_library(const std::string& file, const std::string& prefix) {
  if (prefix.empty()) throw PathsLibraryError(file + ": an empty path prefix");
  return PathsLibrary::load(file, prefix);
}

const PathsLibrary& load_paths_library(const std::string& file) {
  return PathsLibrary::load(file, "");
}

std::string paths_library_beside_executable() {
  return (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "libqgemv_paths.so")
      .string();
}

}  // namespace qgemv
