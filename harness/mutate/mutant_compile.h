#pragma once
// One mutant's source (or the unmutated one's) to a cubin, with NVRTC or `nvcc -cubin`, for an
// explicit architecture, and whether that cubin's code for the entry is the unmutated kernel's.
// Both need the toolkit, never a GPU, so what they decide before a mutant runs (equivalence by
// SASS) can be tested on any machine.
#include <string>

#include "harness/cubin/sass_fingerprint.h"
#include "harness/mutate/mutation_run.h"

namespace qgemv {

struct CompiledMutant {
  bool ok = false;
  std::string cubin_path;
  std::string entry;  // the lowered name (NVRTC) or the user's part of it (nvcc)
  std::string error;  // the compiler's first error line, or NVRTC's log
  double seconds = 0;
};

// Writes DIR/mutant-ID.cubin (id -1: the unmutated kernel) for sm_<arch>, with the launch
// spec's compile_options. `file` is the kernel's path: its folder is on the include path.
CompiledMutant compile_mutant(const MutationOptions& opt, const std::string& file,
                              const std::string& source, const std::string& entry, int arch,
                              const std::string& dir, int id);

// Whether `mutant` compiled to the same code and resources for `original`'s entry (its full
// name) as `original` did: the mutant is then equivalent for that entry. False for a mutant that
// did not compile or whose cubin cannot be read (it then runs, which can only cost time).
bool same_code(const EntryCode& original, const CompiledMutant& mutant);

// nvcc from $CUDA_HOME/bin, else /usr/local/cuda/bin, else the PATH.
std::string nvcc_path();

}  // namespace qgemv
