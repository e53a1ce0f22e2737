#include "harness/mutate/mutant_verify.h"

#include <filesystem>
#include <sstream>

#include "harness/external/external_kernel.h"
#include "harness/verify/isolated_verify.h"
#include "kernels/launch/path_registry.h"

namespace qgemv {
namespace {

namespace fs = std::filesystem;

// The user's spec (inline or a file) under the mutant's name; the cubin is compiled already.
worker::ExternalSpec external_spec(const MutationOptions& opt, const CompiledMutant& c,
                                   const KernelInstance& inst, const std::string& name) {
  LaunchSpec launch = parse_launch_spec(inst.launch);
  launch.name = name;
  launch.compile_options.clear();
  return {c.cubin_path + ":" + entry_in(opt, c, inst), format_launch_spec(launch)};
}

// A quantizer's mutant quantizes the input of every built-in path whose input is Q8_1.
std::vector<Path> q8_input_paths() {
  std::vector<Path> out;
  for (const PathInfo* p : builtin_table())
    if (path_takes_q8(Path(*p))) out.push_back(Path(*p));
  return out;
}

}  // namespace

std::string verify_one(const MutationOptions& opt, const CompiledMutant& c,
                       const KernelInstance& inst, const std::string& name,
                       const std::shared_ptr<XidSource>& xids, DeviceHealth& health,
                       bool probe_first) {
  VerifyOptions v;
  v.cases = opt.cases;
  v.seed = opt.seed;
  v.min_k = inst.min_k;
  v.max_k = inst.max_k;
  v.accuracy = false;  // only the first failure is read
  IsolationOptions iso;
  if (opt.quantizer) {
    v.paths = q8_input_paths();
    v.quantizer = declare_quantizer(c.cubin_path + ":" + entry_in(opt, c, inst));
  } else {
    const worker::ExternalSpec spec = external_spec(opt, c, inst, name);
    v.paths = {declare_external_kernel(spec.kernel, spec.launch)};
    iso.externals = {spec};
  }
  iso.executable = opt.worker;
  iso.jobs = opt.verify_jobs;
  iso.device = opt.device;
  iso.stop_at_first_failure = true;
  // A mutant whose module does not load dies starting its worker, which kills it; the probe
  // before each mutant would only cost time.
  iso.probe_first = probe_first;
  iso.xids = xids;
  std::ostringstream quiet;
  const VerifyReport r = run_isolated_verify(v, iso, quiet);
  add_health(health, r.health);
  return r.failures.empty() ? std::string() : r.failures.front().text;
}

std::vector<std::string> verify_command(const MutationOptions& opt, const CompiledMutant& c,
                                        const KernelInstance& inst, const std::string& name) {
  std::vector<std::string> command = {fs::read_symlink("/proc/self/exe").string(), "verify",
                                      "--no-isolate", "--no-structured"};
  if (opt.quantizer) {
    command.insert(command.end(), {"--quantizer", c.cubin_path + ":" + entry_in(opt, c, inst)});
  } else {
    const worker::ExternalSpec spec = external_spec(opt, c, inst, name);
    command.insert(command.end(), {"--kernel", spec.kernel, "--launch", spec.launch});
  }
  command.insert(
      command.end(),
      {"--cases", std::to_string(opt.sanitizer.cases), "--seed", std::to_string(opt.seed),
       "--max-n", std::to_string(opt.sanitizer.max_n), "--min-k", std::to_string(inst.min_k),
       "--max-k", std::to_string(inst.max_k), "--edge-k", "--device", std::to_string(opt.device)});
  return command;
}

}  // namespace qgemv
