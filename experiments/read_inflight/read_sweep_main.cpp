// qgemv_read_sweep: the read variants of read_config.h against the read row and the read
// ceiling, on the presets' read-row shapes and the ceiling's 4 GiB; an experiment beside qgemv
// bench, whose output, records and source hash it leaves alone.
#include <charconv>
#include <iostream>

#include "experiments/read_inflight/read_sweep.h"
#include "harness/bench/eager_module_loading.h"
#include "harness/cli/args.h"
#include "harness/cli/require_gpu.h"
#include "harness/cli/selection.h"
#include "harness/io/atomic_write.h"
#include "harness/io/output_file.h"

namespace {

constexpr const char* kHelp =
    R"(usage: qgemv_read_sweep [options]
Times read-only kernels that keep more bytes in flight per SM than qgemv bench's read row:
  loads     a CTA per tile, u 16-byte loads per lane issued before any is used (u 1 at 256
            threads is the read row's kernel)
  resident  as many CTAs as the device holds, looping over tiles of u loads per lane
  bulk      resident CTAs, a ring of u stages filled by cp.async.bulk (sm_90; plain loads
            when built for an older architecture)
each launched and waiting as the read row is, with the read row itself beside them. Timed as
the kernel suite times it (events behind a gate, rotation over 4 x L2, one launch or 16 back to
back, medians), and once each on the read ceiling's 4 GiB buffer; the ceiling is measured
first and last. experiments/read_inflight/README.md says what it is for.
  --variant V[,V..]|all        loads, resident, bulk (default all)
  --u U[,U..]                  loads per lane or ring stages: 1, 2, 4, 8 (default all four)
  --threads T[,T..]            per CTA, multiples of 32 to 1024 (default 128,256,512,1024)
  --preset P[,P..]|all         whose read-row shapes (default all)
  --kernel-timing T[,T..]|all  launch, batch (default all)
  --rounds N                   turns over the readers per shape and timing (default 5; 1 to 1000)
  --samples N                  timed samples per reader per turn (default 10; 1 to 100000)
  --warmup N                   untimed samples opening each turn (default 2; 0 to 1000)
  --ceiling-mib M              the variants on an M MiB buffer too (default 4096; 0: not)
  --ceiling-samples N          samples per variant there (default 10; 1 to 10000)
  --out FILE.csv               the rows (default: standard output)
  --md FILE.md                 a markdown summary
Exit 0 done, 2 usage, 3 no CUDA device, 1 any other failure.
)";

std::vector<int> int_list(const std::string& text, const std::string& option) {
  std::vector<int> out;
  for (const std::string& item : qgemv::cli::split_list(text)) {
    int v = 0;
    const auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (ec != std::errc() || ptr != item.data() + item.size())
      throw qgemv::cli::UsageError(option + " expects integers such as 1,2,4, got '" + text + "'");
    out.push_back(v);
  }
  return out;
}

std::vector<qgemv::experiment::ReadVariant> variant_list(const std::string& text) {
  using namespace qgemv::experiment;
  if (text == "all") return {std::begin(kAllReadVariants), std::end(kAllReadVariants)};
  std::vector<ReadVariant> out;
  for (const std::string& item : qgemv::cli::split_list(text)) {
    const auto v = parse_read_variant(item);
    if (!v)
      throw qgemv::cli::UsageError("--variant: unknown '" + item +
                                   "'; known: loads, resident, bulk (or all)");
    out.push_back(*v);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace qgemv;
  using namespace qgemv::experiment;
  try {
    const cli::Args args(argc, argv, 1,
                         {"variant", "u", "threads", "preset", "kernel-timing", "rounds", "samples",
                          "warmup", "ceiling-mib", "ceiling-samples", "out", "md"},
                         {"help"});
    if (args.has("help")) {
      std::cout << kHelp;
      return cli::kExitOk;
    }
    SweepOptions o;
    try {
      o.configs =
          read_configs(variant_list(args.get("variant").value_or("all")),
                       int_list(args.get("u").value_or("1,2,4,8"), "--u"),
                       int_list(args.get("threads").value_or("128,256,512,1024"), "--threads"));
    } catch (const std::invalid_argument& e) {
      throw cli::UsageError(e.what());
    }
    o.presets = cli::select_presets(args.get("preset").value_or("all"));
    o.timings = cli::select_kernel_timings(args.get("kernel-timing").value_or("all"));
    o.rounds = int(args.get_int_in("rounds", o.rounds, 1, 1000));
    o.samples_per_round = int(args.get_int_in("samples", o.samples_per_round, 1, 100000));
    o.warmup = int(args.get_int_in("warmup", o.warmup, 0, 1000));
    o.ceiling_bytes = args.get_int_in("ceiling-mib", 4096, 0, 1 << 20) << 20;
    o.ceiling_samples = int(args.get_int_in("ceiling-samples", o.ceiling_samples, 1, 10000));
    o.progress = &std::cerr;
    // Refused before the run rather than after it.
    for (const char* name : {"out", "md"})
      if (const auto file = args.get(name)) check_output_file(*file, {}, std::string("--") + name);
    // The gate must not wait on a lazy module load (eager_module_loading.h).
    require_eager_module_loading();
    if (!cli::require_gpu("read sweep", 0)) return cli::kExitNoDevice;
    const SweepResult result = run_read_sweep(o);
    if (const auto out = args.get("out"))
      write_file_atomically(*out, std::ios::out,
                            [&](std::ostream& os) { write_sweep_csv(os, result); });
    else
      write_sweep_csv(std::cout, result);
    if (const auto md = args.get("md"))
      write_file_atomically(*md, std::ios::out,
                            [&](std::ostream& os) { write_sweep_markdown(os, result); });
    return cli::kExitOk;
  } catch (const cli::UsageError& e) {
    std::cerr << "qgemv_read_sweep: " << e.what() << "\n";
    return cli::kExitUsage;
  } catch (const OutputFileError& e) {
    std::cerr << "qgemv_read_sweep: " << e.what() << "\n";
    return cli::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "qgemv_read_sweep: " << e.what() << "\n";
    return cli::kExitFailed;
  }
}
