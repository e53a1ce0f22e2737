#include "harness/cli/external_args.h"

#include "harness/external/external_kernel.h"
#include "harness/external/external_quantizer.h"
#include "kernels/launch/path_registry.h"

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

std::optional<std::string> quantizer_arg(const Args& args) {
  const auto q = args.get(kQuantizerOption);
  if (!q) return std::nullopt;
  try {
    ExternalQuantizer::check_arg(*q);
  } catch (const ExternalArgsError& e) {
    throw UsageError(e.what());
  }
  return q;
}

std::vector<Path> quantizer_paths(const std::vector<Path>& paths, bool chosen) {
  std::string q8;
  for (Path p : registered_paths())
    if (path_takes_q8(p)) q8 += (q8.empty() ? "" : ", ") + std::string(path_name(p));
  std::vector<Path> out;
  for (Path p : paths) {
    if (path_takes_q8(p))
      out.push_back(p);
    else if (chosen)
      throw UsageError("--quantizer quantizes the input of the paths whose input is Q8_1 (" + q8 +
                       "); path " + std::string(path_name(p)) + " reads f32");
  }
  if (out.empty()) throw UsageError("--quantizer: no path whose input is Q8_1 is registered");
  return out;
}

}  // namespace qgemv::cli
