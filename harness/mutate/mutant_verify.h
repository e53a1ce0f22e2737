#pragma once
// One compiled instance of a mutant (or of the unmutated kernel) verified: in isolated worker
// processes on the k its launch rule gives it, or as the command compute-sanitizer runs.
#include <memory>
#include <string>
#include <vector>

#include "harness/mutate/mutant_compile.h"
#include "harness/verify/device_health.h"

namespace qgemv {

// Verifies c's instance in worker processes (opt.verify_jobs of opt.worker) with opt's cases and
// seed, on generated k in the instance's window, under the path name `name`, stopping at the
// first failure: that failure, or empty if it passed. Its Xids and probes are added to
// `health`. This process only names the path (declare_external_kernel): the workers load the
// module, so that nothing is loaded into a context here, and nothing stays loaded after it. A
// quantizer's mutant (opt.quantizer) is named likewise (declare_quantizer) and verified in place
// of the built-in quantizer, on the built-in paths whose input is Q8_1.
std::string verify_one(const MutationOptions& opt, const CompiledMutant& c,
                       const KernelInstance& inst, const std::string& name,
                       const std::shared_ptr<XidSource>& xids, DeviceHealth& health,
                       bool probe_first);

// This binary verifying c's instance in one process on opt.sanitizer's few cases and rows,
// without the structured checks: the command compute-sanitizer runs (this executable's real
// path: /proc/self/exe would name the sanitizer there).
std::vector<std::string> verify_command(const MutationOptions& opt, const CompiledMutant& c,
                                        const KernelInstance& inst, const std::string& name);

}  // namespace qgemv
