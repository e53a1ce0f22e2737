#include "harness/mutate/mutation_report.h"

#include <algorithm>
#include <array>
#include <map>
#include <sstream>
#include <vector>

#include "harness/bench/sample_stats.h"
#include "harness/io/csv_cell.h"

namespace qgemv {
namespace {

struct Outcome {
  MutantStatus status;
  const char* name;
};
constexpr std::array<Outcome, 5> kOutcomes = {
    {{MutantStatus::kKilled, "killed"},
     {MutantStatus::kEquivalentSass, "equivalent by SASS"},
     {MutantStatus::kSurvived, "survived"},
     {MutantStatus::kNotCompiled, "not compiled"},
     {MutantStatus::kUnjudged, "not judged"}}};

// Nearest rank, as every reported time of qgemv.
double median(std::vector<double> v) { return v.empty() ? 0 : sample_stats(std::move(v)).median; }

// A mutant's whole cost: its compile and code comparison, then its verification if it ran.
double mutant_seconds(const MutantResult& m) { return m.compile_seconds + m.seconds; }

std::string file_of(const std::string& kernel) { return kernel.substr(0, kernel.rfind(':')); }

}  // namespace

std::optional<double> MutationCounts::score_pct() const {
  // mutants - equivalent by SASS - not compiled - not judged, as the report prints it.
  const int64_t judged = killed + survived;
  if (judged <= 0) return std::nullopt;
  return 100.0 * double(killed) / double(judged);
}

MutationCounts count_outcomes(const MutationReport& r) {
  MutationCounts c;
  c.mutants = int64_t(r.results.size());
  for (const MutantResult& m : r.results) switch (m.status) {
      case MutantStatus::kKilled:
        ++c.killed;
        break;
      case MutantStatus::kSurvived:
        ++c.survived;
        break;
      case MutantStatus::kEquivalentSass:
        ++c.equivalent_sass;
        break;
      case MutantStatus::kNotCompiled:
        ++c.not_compiled;
        break;
      case MutantStatus::kUnjudged:
        ++c.unjudged;
        break;
    }
  return c;
}

std::string mutation_report_markdown(const MutationOptions& opt, const MutationReport& r) {
  const MutationCounts n = count_outcomes(r);
  const std::string health = health_summary(r.health);
  // killed, equivalent by SASS, survived, not compiled
  std::map<std::string, std::array<int64_t, 4>> by_op;
  std::map<std::string, int64_t> by_check;
  for (const MutantResult& m : r.results) {
    auto& row = by_op[m.mutant.op];
    if (m.status == MutantStatus::kKilled) ++row[0], ++by_check[m.killed_by];
    if (m.status == MutantStatus::kEquivalentSass) ++row[1];
    if (m.status == MutantStatus::kSurvived) ++row[2];
    if (m.status == MutantStatus::kNotCompiled) ++row[3];
  }
  std::ostringstream os;
  os.precision(3);
  os << "# Mutation testing: " << opt.kernel << "\n\n"
     << "- instance: `" << r.instance << "`\n"
     << "- launch: `" << opt.launch << "`\n"
     << "- compiler: " << opt.compiler << "\n"
     << "- verify: " << opt.cases << " generated cases (k up to " << opt.max_k << "), seed "
     << opt.seed << ", structured checks, isolated workers (" << opt.verify_jobs
     << "), stopping at the first failure\n"
     << "- mutants: " << n.mutants << " run of " << r.total_mutants << " generated; " << n.killed
     << " killed, " << n.equivalent_sass << " equivalent by SASS (not run), " << n.survived
     << " survived, " << n.not_compiled << " not compiled, " << n.unjudged
     << " not judged (the GPU became unhealthy)\n"
     << "- equivalent by SASS: the mutant's code for the instance (machine code without line "
        "information, the functions it calls, shared and constant sizes, registers, attributes) "
        "is byte for byte the unmutated kernel's, so no input can tell them apart"
     << (r.sass_off.empty() ? ""
                            : "; OFF in this run, the unmutated kernel's code could not be "
                              "read: " +
                                  r.sass_off)
     << "\n"
     << "- " << health.substr(0, health.find('\n')) << "\n"
     << "- score: killed / (mutants - equivalent by SASS - not compiled - not judged) = "
     << n.killed << " / " << (n.killed + n.survived) << " = " << n.score_pct().value_or(0)
     << "% (survivors may still be equivalent: each needs a verdict)\n"
     << "- time: the whole run " << r.wall_seconds << " s, compiling " << r.compile_seconds
     << " s of it (wall, on parallel threads)\n\n"
     << "| outcome | mutants | median s per mutant | total s |\n| --- | ---: | ---: | ---: |\n";
  for (const Outcome& o : kOutcomes) {
    std::vector<double> t;
    double total = 0;
    for (const MutantResult& m : r.results)
      if (m.status == o.status) t.push_back(mutant_seconds(m)), total += mutant_seconds(m);
    os << "| " << o.name << " | " << t.size() << " | " << median(t) << " | " << total << " |\n";
  }
  os << "\nA mutant's time is its compile and code comparison (on one of the compile threads, "
        "which run side by side, so the totals exceed the run's wall time) plus its "
        "verification.\n\n"
     << "| operator | killed | equivalent by SASS | survived | not compiled |\n"
     << "| --- | ---: | ---: | ---: | ---: |\n";
  for (const auto& [op, row] : by_op)
    os << "| " << op << " | " << row[0] << " | " << row[1] << " | " << row[2] << " | " << row[3]
       << " |\n";
  os << "\n| killed by | mutants |\n| --- | ---: |\n";
  for (const auto& [check, count] : by_check) os << "| " << check << " | " << count << " |\n";
  if (n.unjudged > 0) {
    os << "\n## Not judged\n\nScoring stopped when the GPU became unhealthy: " << r.health.unhealthy
       << ". " << unhealthy_advice() << ". Mutants not judged:";
    for (const MutantResult& m : r.results)
      if (m.status == MutantStatus::kUnjudged) os << " " << m.mutant.id;
    os << "\n";
  }
  os << "\n" << health;
  if (n.equivalent_sass > 0) {
    os << "\n## Equivalent by SASS\n\nCompiled to the unmutated kernel's code for `" << r.instance
       << "`, so not run:\n\n";
    for (const MutantResult& m : r.results)
      if (m.status == MutantStatus::kEquivalentSass)
        os << "- mutant " << m.mutant.id << " (" << m.mutant.op << ", line " << m.mutant.line
           << "): `" << m.mutant.after << "`\n";
  }
  os << "\n## Survivors\n\nEach needs a verdict: an equivalent mutant (the same function on every "
        "valid input; say why) or a gap in verify.\n";
  for (const MutantResult& m : r.results)
    if (m.status == MutantStatus::kSurvived)
      os << "\n### mutant " << m.mutant.id << " (" << m.mutant.op << ", line " << m.mutant.line
         << ")\n\n```diff\n- " << m.mutant.before << "\n+ " << m.mutant.after << "\n```\n";
  return os.str();
}

std::string mutation_summary_csv(const MutationOptions& opt, const MutationReport& r) {
  const MutationCounts n = count_outcomes(r);
  std::ostringstream os;
  os << "kernel,instance,mutants,equivalent_sass,killed_verify,killed_sanitizer,survived,"
        "not_compiled,score_pct\n"
     << csv_cell(file_of(opt.kernel)) << "," << csv_cell(r.instance) << "," << n.mutants << ","
     << n.equivalent_sass << "," << n.killed << ",0," << n.survived << "," << n.not_compiled << ",";
  if (const auto s = n.score_pct()) {
    os.setf(std::ios::fixed);
    os.precision(1);
    os << *s;
  }
  os << "\n";
  return os.str();
}

}  // namespace qgemv
