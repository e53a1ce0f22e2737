#pragma once
// One mutant's source (or the unmutated one's) to a cubin, with NVRTC or `nvcc -cubin`, for an
// explicit architecture, and whether that cubin's code for the entry is the unmutated kernel's.
// Both need the toolkit, never a GPU, so what they decide before a mutant runs (equivalence by
// SASS) can be tested on any machine.
#include <optional>
#include <string>
#include <vector>

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

// Writes DIR/mutant-ID.cubin (a negative id: the unmutated kernel, DIR/unmutated-SLOT.cubin)
// for sm_<arch>, with the first instance's compile_options. `file` is the kernel's path: its
// folder is on the include path. nvcc names an anonymous namespace after a hash of the source's
// absolute path, so a source compiled elsewhere has other symbols; nvcc therefore compiles from
// DIR/slot-SLOT/ under the kernel's own file name, and two cubins of one slot (one compile
// thread's, one at a time) compare by code alone.
CompiledMutant compile_mutant(const MutationOptions& opt, const std::string& file,
                              const std::string& source, const std::string& entry, int arch,
                              const std::string& dir, int id, int slot = 0);

// The bytes of `mutant`'s cubin; nullopt for a mutant that did not compile or whose cubin
// cannot be read (it then runs, which can only cost time).
std::optional<std::string> cubin_bytes(const CompiledMutant& mutant);

// Whether the cubin `cubin` (bytes) holds the same code and resources for `original`'s entry
// (its full name) as `original` did: the mutant is then equivalent for that entry. False when
// the entry cannot be read.
bool same_code(const EntryCode& original, const std::string& cubin);
bool same_code(const EntryCode& original, const CompiledMutant& mutant);  // read, then compared

// The instance's entry in c's cubin: NVRTC lowers its name expression; nvcc's is the user's
// part of the mangled name.
std::string entry_in(const MutationOptions& opt, const CompiledMutant& c,
                     const KernelInstance& inst);

struct CompiledSet {
  std::vector<CompiledMutant> mutants;  // in the order given
  std::vector<std::vector<char>>
      equivalent;  // [mutant][instance]: its code there is the original's
  int threads = 0;
  double seconds = 0;  // wall time
};

// Compiles `mutants` on opt.compile_jobs threads (0: every core), each thread in its own slot,
// and compares each with the unmutated kernel compiled in that slot (slot 0's is `original`),
// instance by instance. An instance whose unmutated code cannot be read compares unequal.
CompiledSet compile_all(const MutationOptions& opt, const std::string& file,
                        const std::string& source, const std::vector<Mutant>& mutants,
                        const std::vector<KernelInstance>& instances,
                        const CompiledMutant& original, int arch, const std::string& dir);

// nvcc from $CUDA_HOME/bin, else /usr/local/cuda/bin, else the PATH.
std::string nvcc_path();

}  // namespace qgemv
