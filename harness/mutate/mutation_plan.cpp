#include "harness/mutate/mutation_plan.h"

#include <algorithm>
#include <sstream>

#include "harness/mutate/mutation_report.h"

namespace qgemv {

std::string mutation_plan_markdown(const MutationOptions& opt, const MutationReport& r) {
  std::ostringstream os;
  os.precision(4);
  os << "# Mutation plan: " << opt.kernel << "\n\n"
     << "Compiled with " << opt.compiler << " for sm_" << opt.arch << " and compared, no GPU: "
     << count_outcomes(r).mutants / int64_t(std::max<size_t>(1, r.instances.size()))
     << " mutants (of " << r.total_mutants << " generated"
     << (opt.shards > 1
             ? ", shard " + std::to_string(opt.shard) + " of " + std::to_string(opt.shards)
             : std::string())
     << ") in " << r.compile_seconds << " s on this machine. Device time assumes "
     << kKilledJudgementSeconds << " s per killed and " << kSurvivorJudgementSeconds
     << " s per surviving judgement (H100, results/h100/mutation/README.md), nothing for an "
        "equivalent one, and leaves out compiling on the GPU machine, verifying the unmutated "
        "kernel (about a survivor's time per instance) and the sanitizer runs of survivors.\n\n"
     << "| instance | k window | mutants | equivalent by SASS | not compiled | to run | device "
        "s if all killed | device s if all survive |\n"
     << "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n";
  int64_t run = 0;
  for (size_t i = 0; i < r.instances.size(); ++i) {
    const MutationCounts n = count_outcomes(r, i);
    run += n.unjudged;
    os << "| " << r.instances[i].name << " | " << r.instances[i].min_k << " to "
       << r.instances[i].max_k << " | " << n.mutants << " | " << n.equivalent_sass << " | "
       << n.not_compiled << " | " << n.unjudged << " | "
       << double(n.unjudged) * kKilledJudgementSeconds << " | "
       << double(n.unjudged) * kSurvivorJudgementSeconds << " |\n";
  }
  os << "\nIn all: " << run << " judgements to run, " << double(run) * kKilledJudgementSeconds
     << " s of device time if every one is killed, " << double(run) * kSurvivorJudgementSeconds
     << " s if every one survives.\n";
  return os.str();
}

}  // namespace qgemv
