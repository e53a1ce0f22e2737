#pragma once
// The instances of a template kernel that qgemv's launchers run, derived from the launch rule
// (kernels/launch/launch_config.h) over every shape that reaches it: each model preset's
// launches (the projections alone, and stacked as the token modes launch them) and every shape
// verify launches (verify_shapes.h). mutate judges a mutant of such a file on each of them: an
// instance no shape reaches is code no user runs, and a mutant is equivalent only where its code
// for every used instance is the original's.
#include <cstdint>
#include <string>
#include <vector>

#include "harness/verify/verify_suite.h"

namespace qgemv {

// One compiled instance of a kernel, and how to verify it alone.
struct KernelInstance {
  std::string name;    // "mwv_q8<8,128>": its path and its template arguments, or the entry
  std::string entry;   // a part of its mangled name that it alone has
  std::string launch;  // a launch spec that runs it on any shape (external-kernels.md)
  // The k of verify's generated cases that the path's launch rule gives this instance: its
  // mutants are verified on those (VerifyOptions::min_k and max_k), the shapes it runs for users.
  int64_t min_k = 256, max_k = 32768;
  // Whether every generated shape with k in [min_k, max_k] maps to it; false where the rule
  // also reads n (a window then holds another instance's shapes too) or where only a preset's
  // shape reaches it.
  bool window_exact = true;
};

// Lanes per Q4_K block and per row of one mwv instance.
struct MwvLanes {
  int per_block = 0, per_row = 0;
  auto operator<=>(const MwvLanes&) const = default;
};

// Every (lanes per block, lanes per row) that mwv's launch rule gives a shape that `verify`'s
// runs or a model preset launch, in order, on a device holding resident_threads at once.
std::vector<MwvLanes> used_mwv_lanes(const VerifyOptions& verify, int64_t resident_threads);

// The used instances of gemv_mwv.cu for every path whose launch rule is mwv's (both inputs), in
// order of input, then lanes. verify gives the generated shapes (max_n, min_k, max_k,
// structured). An instance's k window comes from the generated shapes, inside [verify.min_k,
// verify.max_k]; one that only a preset (or a vocabulary or one-hot case) reaches spans those
// shapes' k instead, which a small max_k can leave outside it.
std::vector<KernelInstance> used_mwv_instances(const VerifyOptions& verify,
                                               int64_t resident_threads);

// `--instances used`: the used instances of `file` (a built-in kernel file whose instance is
// chosen per shape: gemv_mwv.cu) whose entry or name holds `part` (every one if empty). Throws
// std::invalid_argument for another file, or a part that no used instance has.
std::vector<KernelInstance> used_instances(const std::string& file, const std::string& part,
                                           const VerifyOptions& verify, int64_t resident_threads);

}  // namespace qgemv
