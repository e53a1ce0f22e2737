#include "harness/cli/external_args.h"

#include "harness/external/external_kernel.h"

namespace qgemv::cli {

std::optional<worker::ExternalSpec> external_kernel_arg(const Args& args) {
  const auto kernel = args.get(kKernelOption), launch = args.get(kLaunchOption);
  if (!kernel && !launch) return std::nullopt;
  if (!kernel || !launch) throw UsageError("--kernel and --launch go together");
  if (args.get("path")) throw UsageError("--kernel replaces --path; give one of them");
  return checked_external_kernel(*kernel, *launch);
}

worker::ExternalSpec checked_external_kernel(const std::string& kernel, const std::string& launch) {
  try {
    check_external_kernel_args(kernel, launch);
  } catch (const ExternalArgsError& e) {
    throw UsageError(e.what());
  }
  return worker::ExternalSpec{kernel, launch};
}

Path load_external(const worker::ExternalSpec& spec, int device) {
  return load_external_kernel(spec.kernel, spec.launch, device);
}

}  // namespace qgemv::cli
