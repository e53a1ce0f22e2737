#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>

#include "harness/bench/eager_module_loading.h"
#include "harness/bench/model_preset.h"
#include "harness/cli/args.h"
#include "harness/cli/commands.h"
#include "harness/cli/require_gpu.h"
#include "harness/cli/selection.h"
#include "harness/io/atomic_write.h"
#include "harness/io/junit_xml.h"
#include "harness/io/output_file.h"
#include "harness/io/read_whole_file.h"
#include "harness/profile/counter_gate.h"
#include "harness/profile/manifest.h"
#include "harness/profile/ncu_driver.h"
#include "harness/profile/profile_dir.h"
#include "harness/profile/profile_json_reader.h"
#include "harness/profile/profile_report.h"
#include "harness/profile/profile_target.h"
#include "harness/profile/sass_record.h"
#include "harness/profile/target_args.h"

namespace qgemv::cli {
namespace {

constexpr int64_t kMaxInt = std::numeric_limits<int>::max();

constexpr const char* kHelp =
    R"(usage: qgemv profile (--preset P | --gguf FILE | --suite probes) [--suite token|kernel]
                     [--path mwv_q8_dsum]
                     [--format text|csv|json] [--ncu PATH] [--save DIR] [--device N] [--seed 1]
       qgemv profile --from DIR [--format text|csv|json]   (no other option applies)
       qgemv profile --compare BASE NEW [--format text|csv|json] [--junit FILE]
                     [--instructions-threshold 0.5] [--dram-threshold 0.5]
Why each kernel takes the time it does, from the GPU's hardware counters: runs Nsight Compute
(ncu, --clock-control none, caches flushed before each kernel) on this command started again
as a target that launches each kernel once, then prints per kernel its DRAM throughput (% of
peak), DRAM bytes read against the fewest it must move, L2 hit rate, achieved occupancy and
waves per SM, issue-slot use, the top warp-stall reasons with their shares, registers and
shared memory per CTA, and its limiter: memory bandwidth, instruction issue, launch or
dependency, or latency or occupancy, with the numbers that decided it (thresholds in
harness/profile/limiter.h).
--preset/--gguf  one token's first layer (every layer launches the same kernels) in the
                 workspace form, on --path (default mwv_q8_dsum, the default Q8 path);
                 --suite kernel: each projection of that layer in a launch of its own, as
                 the kernel suite times them (q, k, v, gate, up not stacked)
--suite probes   kernels of known character: a streaming read, an FMA spin, a pointer chase
--ncu PATH       the ncu to run (default: ncu on PATH, then /usr/local/cuda/bin/ncu)
--save DIR       also keep ncu's raw CSV, the launch list and each kernel's code identity
                 there (ncu.csv, manifest.csv, about.txt, sass.csv), which --from DIR reads
                 again without a GPU
--format         text (default), csv or json (its "schema_version" is now 1)
--compare BASE NEW  the counter gate: two profiles of one workload (each a --save directory
                 or a --format json file), kernel by kernel: instructions executed, DRAM bytes
                 read and written, registers, spill instructions, shared memory. Fails (exit
                 1) when instructions grow by more than --instructions-threshold percent
                 (default 0.5), DRAM bytes by more than --dram-threshold percent (0.5) and
                 4096 bytes, or spills grow at all; register and shared memory changes are
                 reported. A kernel with the same SASS on both sides (its code identity,
                 recorded when the profile was saved) is skipped, its counters not compared.
                 --junit FILE also writes JUnit XML, a case per kernel
Exit 0 ok, 1 ncu failed (or --compare found a failing change), 2 usage, 3 no CUDA device
(checked first: without a GPU there is nothing to count), 4 unreadable input (or profiles of
different workloads), 5 no hardware counters (ncu missing, or the counters not permitted:
ERR_NVGPUCTRPERM).
Reference: docs/profile.md
)";

void write_text(const std::string& path, const std::string& text) {
  write_file_atomically(path, std::ios::binary, [&](std::ostream& os) { os << text; });
}

std::string render(const profile::ProfileReport& r, const std::string& format) {
  return format == "json"  ? profile::profile_json(r)
         : format == "csv" ? profile::profile_csv(r)
                           : profile::profile_text(r);
}

// A directory written by --save: the counters again, without a GPU.
profile::ProfileReport load_saved(const std::string& dir) {
  profile::SavedProfile saved = profile::read_profile_dir(dir);
  for (const std::string& m : saved.missing_metrics)
    std::cerr << "qgemv profile: ncu gave no " << m << "; its columns are left empty\n";
  return std::move(saved.report);
}

// A profile to compare: a --save directory (the raw counters) or a --format json file.
profile::ProfileReport load_any(const std::string& from) {
  if (std::filesystem::is_directory(from)) return load_saved(from);
  try {
    return profile::profile_from_json(read_whole_file(from));
  } catch (const std::exception& e) {
    throw std::runtime_error(from + ": " + e.what());
  }
}

int run_compare(const Args& args, const std::string& format) {
  for (const char* not_with :
       {"preset", "gguf", "path", "suite", "ncu", "save", "from", "device", "seed"})
    if (args.has(not_with))
      throw UsageError(std::string("--") + not_with +
                       " does not apply to --compare (the profiles have their own)");
  if (args.positional().size() != 2)
    throw UsageError("--compare takes two profiles: BASE NEW (--save directories or JSON files)");
  const std::string& base = args.positional()[0];
  const std::string& now = args.positional()[1];
  profile::CounterGateLimits limits;
  limits.instructions_pct = args.get_double_in("instructions-threshold", 0.5, 0, 1000);
  limits.dram_pct = args.get_double_in("dram-threshold", 0.5, 0, 1000);
  const auto junit = args.get("junit");
  if (junit) check_output_file(*junit, {base, now}, "--junit");
  // Profiles of different workloads throw: exit 4, as for any input that cannot be used.
  profile::CounterGateReport r = profile::compare_counters(load_any(base), load_any(now), limits);
  r.base_name = base;
  r.new_name = now;
  std::cout << (format == "json"  ? profile::counter_gate_json(r)
                : format == "csv" ? profile::counter_gate_csv(r)
                                  : profile::counter_gate_text(r));
  if (junit) write_junit_xml(*junit, "qgemv profile --compare", profile::counter_gate_junit(r));
  return r.fails() ? kExitFailed : kExitOk;
}

Path path_arg(const Args& args) {
  const std::vector<Path> paths = select_paths(args.get("path").value_or("mwv_q8_dsum"));
  if (paths.size() != 1) throw UsageError("--path takes one path");
  return paths[0];
}

// The child ncu profiles: launches, writes the manifest and about.txt into --manifest's folder.
int run_target(const Args& args) {
  const std::string kind = args.require("target");
  const std::string dir = args.require("manifest");
  const int device = int(args.get_int_in("device", 0, 0, kMaxInt));
  require_eager_module_loading();
  if (!require_gpu("profile", device)) return kExitNoDevice;
  Executor ex(device);
  std::vector<profile::LaunchLabel> launches;
  std::string subject = "probes", path = "-";
  if (kind == "probes") {
    launches = profile::profile_probes(ex, device);
  } else if (kind == "token" || kind == "kernel") {
    const Path p = path_arg(args);
    const uint64_t seed = args.get_u64("seed", 1);
    TokenPlan plan;
    if (const auto g = args.get("gguf"))
      plan = gguf_token_plan(std::make_shared<const gguf::GgufFile>(gguf::GgufFile::open(*g)));
    else
      plan = preset_token_plan(find_preset(args.require("preset")), seed);
    subject = plan.model;
    path = std::string(p->name);
    launches = kind == "token" ? profile::profile_token_layer(ex, std::move(plan), p, seed)
                               : profile::profile_kernel_layer(ex, std::move(plan), p, seed);
  } else {
    throw UsageError("--target must be token, kernel or probes");
  }
  write_text(dir + "/manifest.csv", profile::manifest_csv(launches));
  write_text(dir + "/about.txt",
             "subject=" + subject + "\npath=" + path + "\nsuite=" + kind + "\n");
  return kExitOk;
}

// Each profiled kernel's code identity in the binary the target ran (this one), for the counter
// gate; a kernel it cannot identify is compared on its counters, so unknown is a note, not an
// error.
std::string record_sass(const std::string& ncu_csv, const std::string& binary) {
  std::vector<profile::NcuKernelRow> rows;
  try {
    rows = profile::parse_ncu_raw_csv(ncu_csv);
  } catch (const profile::NcuCsvError&) {
    return profile::sass_csv({});  // load_saved reports it, naming ncu.csv
  }
  const auto functions = profile::identify_functions(rows, binary);
  for (const profile::FunctionCode& f : functions)
    if (f.code.identity.empty())
      std::cerr << "qgemv profile: no SASS identity for " << f.function << ": "
                << f.code.why_unknown << " (the counter gate compares its counters)\n";
  return profile::sass_csv(functions);
}

std::string make_workdir() {
  std::string dir = (std::filesystem::temp_directory_path() / "qgemv-profile-XXXXXX").string();
  if (!mkdtemp(dir.data())) throw std::runtime_error("cannot create a temporary directory");
  return dir;
}

}  // namespace

int run_profile(int argc, char** argv) {
  const Args args(
      argc, argv, 2,
      {"preset", "gguf", "path", "suite", "format", "ncu", "save", "from", "device", "seed",
       "target", "manifest", "junit", "instructions-threshold", "dram-threshold"},
      {"help", "compare"}, 2);
  if (args.has("help")) {
    std::cout << kHelp;
    return kExitOk;
  }
  if (args.has("target")) return run_target(args);
  const std::string format = args.get("format").value_or("text");
  if (format != "text" && format != "csv" && format != "json")
    throw UsageError("--format must be text, csv or json");
  if (args.has("compare")) return run_compare(args, format);
  if (!args.positional().empty()) throw UsageError("unexpected argument " + args.positional()[0]);
  for (const char* only_compare : {"junit", "instructions-threshold", "dram-threshold"})
    if (args.has(only_compare))
      throw UsageError(std::string("--") + only_compare + " applies to --compare only");
  if (const auto from = args.get("from")) {
    // The saved directory fixes the subject, suite and path; an option that would choose them
    // again must not be ignored silently.
    for (const char* not_with :
         {"preset", "gguf", "path", "suite", "ncu", "save", "device", "seed"})
      if (args.has(not_with))
        throw UsageError(std::string("--") + not_with +
                         " does not apply to --from (the saved profile has its own)");
    std::cout << render(load_saved(*from), format);
    return kExitOk;
  }
  const std::string suite = args.get("suite").value_or("token");
  const bool probes = suite == "probes";
  if (suite != "token" && suite != "kernel" && !probes)
    throw UsageError("--suite must be token, kernel or probes");
  const auto preset = args.get("preset");
  const auto gguf_path = args.get("gguf");
  if (!probes && preset.has_value() == gguf_path.has_value())
    throw UsageError("one of --preset and --gguf is required (or --suite probes)");
  if (preset) select_presets(*preset);  // a usage error listing the presets if unknown
  const Path p = path_arg(args);
  const int device = int(args.get_int_in("device", 0, 0, kMaxInt));
  const uint64_t seed = args.get_u64("seed", 1);

  if (!require_gpu("profile", device)) return kExitNoDevice;
  profile::NcuTool ncu;
  try {
    ncu = profile::find_ncu(args.get("ncu").value_or(""));
  } catch (const profile::CountersUnavailable& e) {
    std::cerr << "qgemv profile: " << e.what() << "\n";
    return kExitNoCounters;
  }

  const auto save = args.get("save");
  const std::string dir = save ? *save : make_workdir();
  std::filesystem::create_directories(dir);
  // Without --save, ncu's report and the launch list go when the command ends, however it ends.
  const std::unique_ptr<const std::string, void (*)(const std::string*)> cleanup(
      save ? nullptr : &dir, [](const std::string* d) {
        std::error_code ec;
        std::filesystem::remove_all(*d, ec);
      });
  // ncu starts the target by path; /proc/self/exe would name ncu itself.
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::vector<std::string> target = profile::target_argv(
      {self, suite, dir, device, preset, gguf_path, std::string(p->name), seed});
  std::string csv;
  try {
    csv = profile::run_ncu(ncu.path, target, dir);
  } catch (const profile::CountersUnavailable& e) {
    std::cerr << "qgemv profile: " << e.what() << "\n";
    return kExitNoCounters;
  } catch (const profile::NcuFailed& e) {
    std::cerr << "qgemv profile: " << e.what() << "\n";
    return kExitFailed;
  }
  write_text(dir + "/ncu.csv", csv);
  write_text(dir + "/about.txt", read_whole_file(dir + "/about.txt") + "ncu=" + ncu.version + "\n");
  write_text(dir + "/sass.csv", record_sass(csv, self));
  const profile::ProfileReport r = load_saved(dir);
  std::cout << render(r, format);
  return kExitOk;
}

}  // namespace qgemv::cli
