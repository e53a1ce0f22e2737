#pragma once
// How to launch a GEMV kernel that qgemv did not build: its activation format, CTA size, grid
// rule, dynamic shared memory and parameter order. Written inline or as a file of the same
// `key=value` entries, separated by ';' or by line breaks (a file may hold the inline form on one
// line); '#' starts a comment to the end of its line. A key may be given once:
//
//   input=f32              f32 or q8_1 (Q8_1 blocks from qgemv's q8_quantize)
//   threads=32             threads per CTA, 1 to 1024
//   rows_per_cta=1         grid = ceil(n / rows_per_cta) ...
//   grid=cdiv(n,4)         ... or a formula over n and k (+ - * / % parentheses, cdiv, min, max)
//   shared=0               dynamic shared memory in bytes, a formula too (default 0)
//   params=w,x,y,n,k       the kernel's parameters in order: w (weights), x (input), y (output)
//                          are pointers; n and k are 32-bit ints; status (unsigned*, optional)
//                          is qgemv's status word, whose bit 0 reports a Q8_1 overflow
//   name=my_kernel         the path's name (default: the entry's name)
//   arithmetic=q8_1_in_kernel  which reference checks it: f32 or q8_1 (the default follows
//                          input), or q8_1_in_kernel: f32 input quantized to Q8_1 inside the
//                          kernel (as qgemv's dp4a does; its sums of x in the kernel's order)
//   rounding=32            the rounding budget is k/256 plus this (default: 32 for f32
//                          arithmetic, 16 for either Q8_1 arithmetic, the largest of qgemv's
//                          own kernels of each kind)
//   dependent_launch=0     1: launch it to overlap its predecessor; only honoured when its code
//                          is built for sm_90 or later (it must then wait for the previous grid)
//   compile_options=-DROWS=4 -Iinclude   a .cu kernel's -D and -I options for the compiler,
//                          separated by spaces (the toolkit's headers are always on the path)
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/launch/gemv_path.h"

namespace qgemv {

struct LaunchSpecError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parentheses, calls and unary minus signs nested deeper than this are refused: the parser
// recurses once per level, and a formula of tens of thousands of levels would overflow the stack.
inline constexpr int kMaxFormulaDepth = 100;

enum class KernelParam { kWeights, kInput, kOutput, kN, kK, kStatus };

struct LaunchSpec {
  std::string name;
  Activation input = Activation::kF32;
  Arithmetic arithmetic = Arithmetic::kF32;
  int threads = 0;
  std::string grid;  // a formula over n and k
  std::string shared = "0";
  std::vector<KernelParam> params;
  int64_t rounding_extra = 32;
  bool dependent_launch = false;
  std::vector<std::string> compile_options;  // each -D... or -I...
};

// Whether `text` names a spec file: a file exists at that path, or it holds no '=' (and so is no
// inline spec). A spec file that cannot be read is then reported as such.
bool launch_spec_names_file(const std::string& text);

// `text` is a spec file's path or the inline form (launch_spec_names_file). Throws
// LaunchSpecError naming the entry at fault, and for a file its line.
LaunchSpec parse_launch_spec(const std::string& text);

// The inline form of `s`, which parse_launch_spec reads back as `s`.
std::string format_launch_spec(const LaunchSpec& s);

// Evaluates a grid or shared-memory formula; throws LaunchSpecError on a syntax error, a
// division by zero, a result past 64 bits, or nesting deeper than kMaxFormulaDepth.
int64_t eval_formula(const std::string& formula, int64_t n, int64_t k);

const char* param_name(KernelParam p);

}  // namespace qgemv
