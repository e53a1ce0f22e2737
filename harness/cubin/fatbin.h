#pragma once
// The device code a host binary carries: nvcc puts a fatbin into the ELF section .nv_fatbin of
// every object it compiles, and the linker concatenates them, so an executable or a shared
// library holds one fatbin container per CUDA translation unit. Each container lists entries:
// a cubin (an ELF of SASS) or PTX, each for one sm architecture.
//
// The layout is NVIDIA's and undocumented; what is read here is what nvcc 12 and 13 write (and
// what public readers of the format agree on), all little-endian:
//   container: u32 magic 0xBA55ED50, u16 version 1, u16 header size, u64 size of the entries;
//   entry:     u16 kind (1 PTX, 2 cubin), u16, u32 header size, u64 payload size,
//              u32 compressed size, u32, u16 u16 version, u32 sm arch, ..., u64 flags at 40
//              (0x2000: LZ4, 0x8000: zstd), the payload right after the entry's header.
// nvcc 13 compresses the PTX but leaves cubins whole; a compressed cubin is listed, marked
// compressed, and not decompressed here (its kernels' code is then unknown to the caller).
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace qgemv {

// A file or bytes that are not what the function reads: not an ELF, no .nv_fatbin, a container
// that is cut short or whose entries overrun it. The message names the offset.
struct FatbinError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct FatbinEntry {
  enum class Kind { kPtx, kCubin, kOther };
  Kind kind = Kind::kOther;
  int arch = 0;              // 90 for sm_90
  bool compressed = false;   // LZ4 or zstd: the payload is not the code itself
  size_t container = 0;      // which container (translation unit) holds it, from 0
  std::string_view payload;  // into the bytes given to fatbin_entries
};

// The contents of the section named `name` of a 64-bit little-endian ELF file (a host
// executable, shared library or object). Throws FatbinError when `elf` is no such file or has
// no such section; a section with no bytes in the file (SHT_NOBITS) gives "".
std::string_view elf_section(std::string_view elf, std::string_view name);

// Every entry of every container in `fatbin` (a .nv_fatbin section: containers back to back,
// perhaps with zero padding between them). The payloads point into `fatbin`, which must outlive
// them. Throws FatbinError on bytes that are not such containers.
std::vector<FatbinEntry> fatbin_entries(std::string_view fatbin);

// The cubin a device of `arch` loads from each container: the cubin built for `arch`, else the
// newest one of the same major architecture built for an older minor (sm_86 runs on sm_89);
// a container with neither is left out (its kernels would be compiled from PTX at load time).
// In container order; the entries may be compressed.
std::vector<FatbinEntry> cubins_for_arch(const std::vector<FatbinEntry>& entries, int arch);

}  // namespace qgemv
