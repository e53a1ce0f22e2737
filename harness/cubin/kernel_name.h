#pragma once
// A kernel's name as a profiler prints it, matched to the mangled symbol of an entry in a cubin.
//
// Nsight Compute demangles in its own way. Its raw CSV page (ncu 2025.3, H100) names qgemv's
//   _ZN5qgemv3dev44_GLOBAL__N__730f66f2_11_gemv_mwv_cu_dda4b23015gemv_mwv_kernelILi4ELi64E...
// as "void unnamed>::gemv_mwv_kernel<64, unnamed>::Q8Input>(const BlockQ4K *, T2, float *, ...)":
// namespaces left out (also inside template arguments and parameters), the anonymous namespace
// as "<unnamed>" with its '<' lost, a dependent parameter by its template parameter's name
// ("T2"), `const T *` where the C++ demangler writes `T const*`; and with
// --print-kernel-base function no template arguments or parameters at all. So names are
// compared on what both forms keep: the function's own name, its template arguments (when the
// printed name has them) with namespaces left out, and the namespaces the printed name does
// give, which must end the symbol's. The parameters only choose between symbols that agree on
// all that. A name that matches no symbol, or several, matches none: a wrong match would let the
// counter gate skip a kernel whose code changed.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qgemv {

// abi::__cxa_demangle's form of a mangled name; the name itself when it is none (extern "C").
std::string demangled(const std::string& symbol);

// The one symbol of `symbols` (mangled names, or extern "C" names as they are) that `printed`
// names; nullopt when none or several do.
std::optional<std::string> match_kernel_symbol(std::string_view printed,
                                               const std::vector<std::string>& symbols);

}  // namespace qgemv
