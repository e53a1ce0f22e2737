#pragma once
// Mutants of a CUDA kernel's source: the small edits that real kernel bugs are made of, one per
// mutant, inside device code only (the bodies of __global__ and __device__ functions). The
// operators follow Mull and PIT: arithmetic and comparison operator swaps, integer constants
// plus or minus one (shift amounts and masks included), indices plus or minus one, a dropped
// statement, a removed barrier or shuffle, swapped operands.
#include <string>
#include <vector>

namespace qgemv {

struct Mutant {
  int id = 0;
  std::string op;      // "arith", "compare", "constant", "index", "drop", "barrier", ...
  int line = 0;        // 1-based line of the edit
  std::string before;  // the line before and after the edit
  std::string after;
  std::string source;  // the whole mutated source
};

// Every mutant of `source`, in source order (at one position: by operator, then replacement
// text), ids from 0, so that an id names the same mutant on every standard library.
std::vector<Mutant> generate_mutants(const std::string& source);

}  // namespace qgemv
