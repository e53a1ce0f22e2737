#pragma once
// Which compiled code a kernel of a host binary runs on a device, as a short string two builds
// can compare: "sm_90:<16 hex digits>", the architecture of the cubin the device loads
// (fatbin.h's cubins_for_arch) and a 64-bit FNV-1a hash of the entry's SASS fingerprint
// (sass_fingerprint.h: its machine code without line information, relocations by name,
// attributes, registers, shared memory, constant banks). Equal strings mean the same machine
// code and resources, whatever the source lines or the build directory.
//
// The build directory would otherwise show: nvcc names an anonymous namespace after a hash of
// the source file's absolute path (_GLOBAL__N__730f66f2_11_gemv_mwv_cu_dda4b230), and that name
// is in every symbol and section of a kernel in it. The hashes in such names are zeroed before
// hashing (code_hash), so two checkouts of one source give the same identity.
#include <string>
#include <string_view>
#include <vector>

#include "harness/cubin/fatbin.h"

namespace qgemv {

struct KernelCode {
  std::string identity;     // "sm_90:0123456789abcdef"; "" when unknown
  std::string why_unknown;  // when identity is "": what could not be read or matched
};

// The fingerprint's hash as 16 hex digits, the anonymous namespaces' path hashes zeroed.
std::string code_hash(std::string_view fingerprint);

// A host binary's cubins for one architecture, read once, asked about kernels by the names a
// profiler prints (kernel_name.h).
class BinaryCode {
 public:
  // Throws std::runtime_error (FatbinError included) when the file cannot be read, is no ELF,
  // or holds no .nv_fatbin it can walk.
  BinaryCode(const std::string& binary_path, int arch);
  // The same for bytes already read; `what` names them in errors.
  BinaryCode(std::string_view elf, int arch, const std::string& what);

  KernelCode identify(std::string_view printed_name) const;

 private:
  struct Cubin {
    int arch = 0;
    std::string bytes;
    std::vector<std::string> entries;  // mangled
  };
  void load(std::string_view elf, const std::string& what);

  int arch_;
  std::vector<Cubin> cubins_;
  int unread_ = 0;  // cubins for the architecture not read: compressed, or not parsed
};

}  // namespace qgemv
