#include "harness/mutate/mutant_verify.h"

#include <filesystem>
#include <sstream>

#include "harness/external/external_kernel.h"
#include "harness/verify/isolated_verify.h"

namespace qgemv {
namespace {

// The user's spec (inline or a file) under the mutant's name; the cubin is compiled already.
namespace fs = std::filesystem;

worker::ExternalSpec external_spec(const MutationOptions& opt, const CompiledMutant& c,
                                   const KernelInstance& inst, const std::string& name) {
  LaunchSpec launch = parse_launch_spec(inst.launch);
  launch.name = name;
  launch.compile_options.clear();
  return {c.cubin_path + ":" + entry_in(opt, c, inst), format_launch_spec(launch)};
}

}  // namespace

std::string verify_one(const MutationOptions& opt, const CompiledMutant& c,
                       const KernelInstance& inst, const std::string& name,
                       const std::shared_ptr<XidSource>& xids, DeviceHealth& health,
                       bool probe_first) {
  const worker::ExternalSpec spec = external_spec(opt, c, inst, name);
  VerifyOptions v;
  v.cases = opt.cases;
  v.seed = opt.seed;
  v.min_k = inst.min_k;
  v.max_k = inst.max_k;
  v.accuracy = false;  // only the first failure is read
  v.paths = {declare_external_kernel(spec.kernel, spec.launch)};
  IsolationOptions iso;
  iso.executable = opt.worker;
  iso.jobs = opt.verify_jobs;
  iso.device = opt.device;
  iso.externals = {spec};
  iso.stop_at_first_failure = true;
  // A mutant whose module does not load dies starting its worker, which kills it; the probe
  // before each mutant would only cost time.
  iso.probe_first = probe_first;
  iso.xids = xids;
  std::ostringstream quiet;
  const VerifyReport r = run_isolated_verify(v, iso, quiet);
  health.xids.insert(health.xids.end(), r.health.xids.begin(), r.health.xids.end());
  health.probes += r.health.probes;
  health.xid_watch = r.health.xid_watch;
  if (!r.health.unhealthy.empty()) health.unhealthy = r.health.unhealthy;
  return r.failures.empty() ? std::string() : r.failures.front().text;
}

std::vector<std::string> verify_command(const MutationOptions& opt, const CompiledMutant& c,
                                        const KernelInstance& inst, const std::string& name) {
  const worker::ExternalSpec spec = external_spec(opt, c, inst, name);
  return {fs::read_symlink("/proc/self/exe").string(),
          "verify",
          "--no-isolate",
          "--no-structured",
          "--kernel",
          spec.kernel,
          "--launch",
          spec.launch,
          "--cases",
          std::to_string(opt.sanitizer.cases),
          "--seed",
          std::to_string(opt.seed),
          "--max-n",
          std::to_string(opt.sanitizer.max_n),
          "--min-k",
          std::to_string(inst.min_k),
          "--max-k",
          std::to_string(inst.max_k),
          "--device",
          std::to_string(opt.device)};
}

}  // namespace qgemv
