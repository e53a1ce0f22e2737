#pragma once
// Which compiled code each profiled kernel ran, recorded when a profile is saved, so that the
// counter gate can tell a kernel two builds compiled to the same SASS (code_identity.h) from
// one whose code changed. A --save folder holds it as sass.csv, a line per function ncu named:
//   function,sass,note
// `sass` is the identity ("sm_90:0123456789abcdef"), empty when unknown, `note` then says why.
// It is taken from the binary ncu profiled (qgemv itself: its kernels are compiled in) for the
// architecture ncu reports. A folder saved before sass.csv existed has none: every kernel's
// code is unknown, and the gate compares it as before.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "harness/cubin/code_identity.h"
#include "harness/profile/ncu_csv.h"

namespace qgemv::profile {

struct FunctionCode {
  std::string function;  // as ncu printed it
  KernelCode code;
};

// The compute capability ncu profiled on as sm digits (9.0: 90); 0 when the row gives none.
int profiled_arch(const NcuKernelRow& row);

// Each distinct function of `rows`, in the order ncu profiled them, identified in `binary`.
// Never throws: a binary that cannot be read leaves every function unknown, saying why.
std::vector<FunctionCode> identify_functions(const std::vector<NcuKernelRow>& rows,
                                             const std::string& binary);

std::string sass_csv(const std::vector<FunctionCode>& functions);
// function -> identity ("" unknown). Throws std::runtime_error naming the line of a malformed file.
std::map<std::string, std::string> parse_sass_csv(std::string_view text);

}  // namespace qgemv::profile
