#pragma once
// Another build's GEMV paths, or a project's own, loaded from a shared library with the C
// interface of kernels/launch/paths_abi.h and registered as paths named PREFIX + the row's name
// (base:mwv_q8), which every consumer of the registry then runs like a built-in path
// (docs/ab-gate.md). The library is opened with RTLD_LOCAL and never closed: its rows are
// registered for the rest of the process.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/launch/gemv_path.h"

namespace qgemv {

// What is wrong with a library file, before anything of it runs: the message names the file.
struct PathsLibraryError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class PathsLibrary {
 public:
  const std::string& file() const { return file_; }
  const std::string& library() const { return library_; }    // who built it (the table's)
  const std::string& revision() const { return revision_; }  // its source revision
  const std::vector<Path>& paths() const { return paths_; }  // registered, in the table's order
  // Readies the library's CUDA runtime on the calling thread for `device` (its modules
  // loaded); call on every thread that launches its paths, before a timed region. Throws
  // CudaError with the library's message.
  void prepare(int device) const;
  // The library's text for an error code it returned, with the code.
  std::string error_text(int32_t code) const;

 private:
  friend const PathsLibrary& load_paths_library(const std::string& file, const std::string& prefix);
  friend const PathsLibrary& load_paths_library(const std::string& file);
  // prefix empty: the table's library name and a colon.
  static const PathsLibrary& load(const std::string& file, std::string prefix);

  std::string file_, library_, revision_;
  std::vector<Path> paths_;
  int32_t (*prepare_)(int32_t) = nullptr;
  const char* (*error_string_)(int32_t) = nullptr;
};

// Opens `file` (a path: dlopen's search is not used, so that the file named is the file
// loaded), checks its ABI version, table and rows, and registers the rows. Throws
// PathsLibraryError on a missing file, a file dlopen refuses, one without the interface (no
// qgemv_paths_abi_version), another ABI version, a missing table, a malformed row, or a name
// already registered (the same library loaded twice under one prefix). Not thread-safe, like
// register_path.
const PathsLibrary& load_paths_library(const std::string& file, const std::string& prefix);
// The same under the library's own name: its rows become LIBRARY:NAME, LIBRARY being the
// table's `library` (own:own_gemv), so that a project's paths carry its name wherever they are
// reported. Throws PathsLibraryError also for a library name that cannot prefix a path name.
// Calls nothing of the library but the version and the table: no CUDA context is made, so a
// process that only needs the names (verify's supervisor) may load it.
const PathsLibrary& load_paths_library(const std::string& file);

// The libqgemv_paths.so beside the running executable (the build's own, as the build and
// scripts/package-device place it).
std::string paths_library_beside_executable();

}  // namespace qgemv
