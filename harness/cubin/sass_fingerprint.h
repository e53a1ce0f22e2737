#pragma once
// What a cubin's entry runs, as bytes to compare: two compilations whose fingerprints are equal
// run the same machine code (SASS) with the same resources, so a mutant whose fingerprint equals
// the unmutated kernel's is equivalent for that entry and need not run.
//
// Read from the ELF directly rather than from `cuobjdump -sass` text: no tool to find at run time
// (the toolkit on a build machine may lack cuobjdump), no disassembly format to strip of
// addresses and line comments, and the machine code's bytes are exact where text is a rendering.
// Line information lives in its own sections (.debug_line, .nv_debug_line_sass, ...), which are
// left out, so an edit that only moves code between lines changes nothing here.
//
// The fingerprint holds, for the entry and every function its code relocates against:
//  - the machine code (.text.F) and its relocations, by symbol name;
//  - the function's own sections: .nv.info.F (launch bounds, parameters, exit offsets),
//    .nv.shared.F's size (a mutant that shrinks a shared array changes no instruction, yet
//    overruns it), .nv.constantN.F (parameter bank, compiler constants);
//  - the function's attributes in the global .nv.info (registers, frame and stack sizes);
//  - the cubin's data not owned by a function (__constant__ and __device__ variables), which
//    code may address without a relocation.
// Symbol indices are replaced by names, so a renumbered symbol table alone differs nothing. An
// attribute this file does not know compares raw: unknown differences mean "not equivalent", so
// an error here costs a mutant's run, never its verdict.
#include <string>
#include <vector>

namespace qgemv {

struct EntryCode {
  std::string symbol;       // the entry's full (mangled) name in the cubin
  std::string fingerprint;  // opaque bytes; equal means the same code and resources
};

// `entry` is the entry's full name, or a part of it that one entry alone has (as nvcc-compiled
// mutants name theirs). Throws std::runtime_error for a file that is not a 64-bit cubin, or an
// entry that names no entry or several.
EntryCode entry_code(const std::string& cubin, const std::string& entry);
EntryCode entry_code_of_file(const std::string& cubin_path, const std::string& entry);

// The full (mangled) names of the cubin's entries (its __global__ functions), in symbol table
// order. Throws std::runtime_error as entry_code does.
std::vector<std::string> entry_symbols(const std::string& cubin);

}  // namespace qgemv
