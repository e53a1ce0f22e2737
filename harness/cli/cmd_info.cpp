#include <iostream>
#include <limits>

#include "harness/cli/args.h"
#include "harness/cli/build_info.h"
#include "harness/cli/commands.h"
#include "harness/executor/device_info.h"

namespace qgemv::cli {

int run_info(int argc, char** argv) {
  const Args args(argc, argv, 2, {"device"}, {"help"});
  if (args.has("help")) {
    std::cout << "usage: qgemv info [--device N]\n"
                 "Prints the build, the CUDA runtime and driver, and device N (default 0).\n"
                 "Exits 0 with a device, 3 without one.\n"
                 "Reference: docs/verify.md\n";
    return kExitOk;
  }
  const DeviceInfo d =
      query_device(int(args.get_int_in("device", 0, 0, std::numeric_limits<int>::max())));
  std::cout << "qgemv " << kGitRevision << " (" << kBuildType << ", " << kCompiler
            << ", CUDA architectures " << kCudaArchitectures << ")\n"
            << "CUDA runtime " << d.runtime << ", driver " << d.driver << "\n";
  if (!d.available) {
    std::cout << "no CUDA device: " << d.reason << "\n";
    return kExitNoDevice;
  }
  std::cout << "device: " << d.name << " (sm_" << d.cc_major << d.cc_minor << ", " << d.sms
            << " SMs, " << d.l2_bytes / (1 << 20) << " MiB L2, " << d.memory_bytes / (1 << 20)
            << " MiB memory)\n";
  return kExitOk;
}

}  // namespace qgemv::cli
