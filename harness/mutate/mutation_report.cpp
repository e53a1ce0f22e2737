#include "harness/mutate/mutation_report.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "harness/bench/sample_stats.h"
#include "harness/io/csv_cell.h"

namespace qgemv {
namespace {

struct Outcome {
  MutantStatus status;
  const char* word;  // mutation.json's
  const char* name;  // report.md's
};
constexpr std::array<Outcome, 6> kOutcomes = {
    {{MutantStatus::kKilled, "killed", "killed by verify"},
     {MutantStatus::kKilledSanitizer, "killed_sanitizer", "killed by a sanitizer only"},
     {MutantStatus::kEquivalentSass, "equivalent_sass", "equivalent by SASS"},
     {MutantStatus::kSurvived, "survived", "survived"},
     {MutantStatus::kNotCompiled, "not_compiled", "not compiled"},
     {MutantStatus::kUnjudged, "not_judged", "not judged"}}};

// Nearest rank, as every reported time of qgemv.
double median(std::vector<double> v) { return v.empty() ? 0 : sample_stats(std::move(v)).median; }

std::string score_text(const MutationCounts& n) {
  std::ostringstream os;
  os.precision(3);
  const int64_t killed = n.killed + n.killed_sanitizer;
  os << killed << " / " << (killed + n.survived);
  if (const auto s = n.score_pct()) os << " = " << *s << "%";
  return os.str();
}

std::string window(const KernelInstance& i) {
  return std::to_string(i.min_k) + " to " + std::to_string(i.max_k) +
         (i.window_exact ? "" : " (also other instances' shapes)");
}

std::string sanitizer_line(const MutationOptions& opt, const MutationReport& r) {
  if (!r.sanitizer_off.empty()) return "OFF, " + r.sanitizer_off;
  std::string tools;
  for (const std::string& t : opt.sanitizer.tools) tools += (tools.empty() ? "" : ", ") + t;
  return r.sanitizer + " (" + tools + " in turn, " + std::to_string(opt.sanitizer.cases) +
         " generated cases of at most " + std::to_string(opt.sanitizer.max_n) +
         " rows each, in one process)";
}

// Per mutant, its judgements' outcomes.
std::map<int, std::vector<const MutantResult*>> by_mutant(const MutationReport& r) {
  std::map<int, std::vector<const MutantResult*>> out;
  for (const MutantResult& m : r.results) out[m.mutant.id].push_back(&m);
  return out;
}

// "mwv<4,4>, mwv<4,8>": the instances of a mutant's judgements with this outcome.
std::string instances_with(const MutationReport& r, const std::vector<const MutantResult*>& js,
                           MutantStatus s) {
  std::string out;
  for (const MutantResult* j : js)
    if (j->status == s)
      out += (out.empty() ? "" : ", ") +
             (j->instance < r.instances.size() ? r.instances[j->instance].name : "?");
  return out;
}

void write_instances(std::ostream& os, const MutationReport& r) {
  os << "\n## Instances\n\nEach mutant is judged on every instance: equivalent by SASS where its "
        "code for the instance is the original's, otherwise verified on the generated k that "
        "the launch rule gives the instance (the k window).\n\n"
     << "| instance | k window | killed by verify | killed by a sanitizer only | equivalent by "
        "SASS | survived | not compiled | not judged | score |\n"
     << "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n";
  for (size_t i = 0; i < r.instances.size(); ++i) {
    const MutationCounts n = count_outcomes(r, i);
    os << "| " << r.instances[i].name << " | " << window(r.instances[i]) << " | " << n.killed
       << " | " << n.killed_sanitizer << " | " << n.equivalent_sass << " | " << n.survived << " | "
       << n.not_compiled << " | " << n.unjudged << " | " << score_text(n) << " |\n";
  }
  os << "\n| instance | entry | launch |\n| --- | --- | --- |\n";
  for (size_t i = 0; i < r.instances.size(); ++i)
    os << "| " << r.instances[i].name << " | `"
       << (i < r.symbols.size() ? r.symbols[i] : r.instances[i].entry) << "` | `"
       << r.instances[i].launch << "` |\n";
}

void write_times(std::ostream& os, const MutationReport& r) {
  os << "\n| outcome | judgements | median s | total s |\n| --- | ---: | ---: | ---: |\n";
  for (const Outcome& o : kOutcomes) {
    std::vector<double> t;
    double total = 0;
    for (const MutantResult& m : r.results)
      if (m.status == o.status) t.push_back(m.seconds), total += m.seconds;
    os << "| " << o.name << " | " << t.size() << " | " << median(t) << " | " << total << " |\n";
  }
  std::vector<double> compile;
  for (const auto& [id, js] : by_mutant(r)) compile.push_back(js.front()->compile_seconds);
  os << "\nA judgement's time is its verification on the instance, with its sanitizer runs for a "
        "mutant verify did not kill; an equivalent one costs no GPU time. Compiling and comparing "
        "a mutant's code (once for every instance, on one of the compile threads, which run side "
        "by side) took "
     << median(compile) << " s per mutant (median).\n";
}

void write_by_operator(std::ostream& os, const MutationReport& r) {
  std::map<std::string, std::array<int64_t, kOutcomes.size()>> by_op;
  std::map<std::string, int64_t> by_check;
  for (const MutantResult& m : r.results) {
    auto& row = by_op[m.mutant.op];
    for (size_t o = 0; o < kOutcomes.size(); ++o) row[o] += m.status == kOutcomes[o].status;
    if (m.status == MutantStatus::kKilled) ++by_check[m.killed_by];
    if (m.status == MutantStatus::kKilledSanitizer) ++by_check["compute-sanitizer " + m.killed_by];
  }
  os << "\n| operator |";
  for (const Outcome& o : kOutcomes) os << " " << o.name << " |";
  os << "\n| --- |";
  for (size_t o = 0; o < kOutcomes.size(); ++o) os << " ---: |";
  os << "\n";
  for (const auto& [op, row] : by_op) {
    os << "| " << op << " |";
    for (int64_t v : row) os << " " << v << " |";
    os << "\n";
  }
  os << "\n| killed by | judgements |\n| --- | ---: |\n";
  for (const auto& [check, count] : by_check) os << "| " << check << " | " << count << " |\n";
}

void write_lists(std::ostream& os, const MutationReport& r) {
  const auto mutants = by_mutant(r);
  std::ostringstream equivalent, sanitizer, survivors;
  for (const auto& [id, js] : mutants) {
    const Mutant& m = js.front()->mutant;
    const std::string head =
        "mutant " + std::to_string(id) + " (" + m.op + ", line " + std::to_string(m.line) + ")";
    if (std::all_of(js.begin(), js.end(), [](const MutantResult* j) {
          return j->status == MutantStatus::kEquivalentSass;
        }))
      equivalent << "- " << head << ": `" << m.after << "`\n";
    for (const MutantResult* j : js)
      if (j->status == MutantStatus::kKilledSanitizer)
        sanitizer << "- " << head << " on " << r.instances[j->instance].name << ": " << j->killed_by
                  << ", " << j->detail << " (`" << m.after << "`)\n";
    const std::string survived = instances_with(r, js, MutantStatus::kSurvived);
    if (survived.empty()) continue;
    survivors << "\n### " << head << (r.instances.size() > 1 ? " on " + survived : "")
              << "\n\n```diff\n- " << m.before << "\n+ " << m.after << "\n```\n";
    const std::string equivalent_on = instances_with(r, js, MutantStatus::kEquivalentSass);
    if (!equivalent_on.empty()) survivors << "\nEquivalent by SASS on " << equivalent_on << ".\n";
    for (const MutantResult* j : js)
      if (j->status == MutantStatus::kSurvived && !j->detail.empty())
        survivors << "\n"
                  << (r.instances.size() > 1 ? r.instances[j->instance].name + ": " : "")
                  << j->detail << "\n";
  }
  if (!equivalent.str().empty())
    os << "\n## Equivalent by SASS on every instance\n\nTheir code for every instance is the "
          "unmutated kernel's, so none was run:\n\n"
       << equivalent.str();
  if (!sanitizer.str().empty())
    os << "\n## Killed by a sanitizer only\n\nPassed verify; the named compute-sanitizer tool "
          "reported them:\n\n"
       << sanitizer.str();
  os << "\n## Survivors\n\nEach needs a verdict: an equivalent mutant (the same function on every "
        "valid input; say why) or a gap in verify.\n"
     << survivors.str();
}

}  // namespace

std::optional<double> MutationCounts::score_pct() const {
  // mutants - equivalent by SASS - not compiled - not judged, as the report prints it.
  const int64_t judged = killed + killed_sanitizer + survived;
  if (judged <= 0) return std::nullopt;
  return 100.0 * double(killed + killed_sanitizer) / double(judged);
}

const char* status_word(MutantStatus s) {
  for (const Outcome& o : kOutcomes)
    if (o.status == s) return o.word;
  return "?";
}

std::optional<MutantStatus> status_from_word(const std::string& w) {
  for (const Outcome& o : kOutcomes)
    if (w == o.word) return o.status;
  return std::nullopt;
}

MutationCounts count_outcomes(const MutationReport& r, std::optional<size_t> instance) {
  MutationCounts c;
  for (const MutantResult& m : r.results) {
    if (instance && m.instance != *instance) continue;
    ++c.mutants;
    switch (m.status) {
      case MutantStatus::kKilled:
        ++c.killed;
        break;
      case MutantStatus::kKilledSanitizer:
        ++c.killed_sanitizer;
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
  }
  return c;
}

std::string mutation_report_markdown(const MutationOptions& opt, const MutationReport& r) {
  const MutationCounts n = count_outcomes(r);
  const std::string health = health_summary(r.health);
  const auto mutants = by_mutant(r);
  int64_t everywhere = 0;
  for (const auto& [id, js] : mutants)
    everywhere += std::all_of(js.begin(), js.end(), [](const MutantResult* j) {
      return j->status == MutantStatus::kEquivalentSass;
    });
  std::ostringstream os;
  os.precision(3);
  os << "# Mutation testing: " << opt.kernel << "\n\n"
     << (opt.quantizer ? "- a Q8_1 quantizer: each mutant in place of the built-in one before the "
                         "built-in paths whose input is Q8_1, and in the q8_quantize checks "
                         "(verify --quantizer)\n"
                       : "")
     << "- instances: " << r.instances.size() << " (below)\n"
     << "- compiler: " << opt.compiler << "\n"
     << "- verify: " << opt.cases << " generated cases (k in the instance's window), seed "
     << opt.seed << ", structured checks, isolated workers (" << opt.verify_jobs
     << "), stopping at the first failure\n"
     << "- sanitizer triage of what verify did not kill: " << sanitizer_line(opt, r) << "\n"
     << "- mutants: " << mutants.size() << " judged of " << r.total_mutants << " generated"
     << (opt.shards > 1 ? " (" + std::to_string(r.shard_seconds.size()) + " of " +
                              std::to_string(opt.shards) + " shards)"
                        : "")
     << "; " << everywhere << " equivalent by SASS on every instance\n"
     << "- judgements (a mutant on an instance): " << n.mutants << "; " << n.killed
     << " killed by verify, " << n.killed_sanitizer << " killed by a sanitizer only, "
     << n.equivalent_sass << " equivalent by SASS (not run), " << n.survived << " survived, "
     << n.not_compiled << " not compiled, " << n.unjudged
     << " not judged (the GPU became unhealthy)\n"
     << "- equivalent by SASS: the mutant's code for the instance (machine code without line "
        "information, the functions it calls, shared and constant sizes, registers, attributes) "
        "is byte for byte the unmutated kernel's, so no input can tell them apart"
     << (r.sass_off.empty() ? ""
                            : "; OFF where the unmutated code could not be read: " + r.sass_off)
     << "\n"
     << "- " << health.substr(0, health.find('\n')) << "\n"
     << "- score over every instance: (killed + killed by a sanitizer only) / (judgements - "
        "equivalent by SASS - not compiled - not judged) = "
     << score_text(n) << " (survivors may still be equivalent: each needs a verdict)\n"
     << "- time: the whole run " << r.wall_seconds << " s";
  if (r.shard_seconds.size() > 1) {
    os << " (shards:";
    for (double s : r.shard_seconds) os << " " << s;
    os << " s)";
  }
  os << ", compiling " << r.compile_seconds << " s of it (wall, on parallel threads)\n";
  write_instances(os, r);
  write_times(os, r);
  write_by_operator(os, r);
  if (n.unjudged > 0) {
    os << "\n## Not judged\n\nScoring stopped when the GPU became unhealthy: " << r.health.unhealthy
       << ". " << unhealthy_advice() << ". Mutants not judged:";
    std::set<int> ids;
    for (const MutantResult& m : r.results)
      if (m.status == MutantStatus::kUnjudged) ids.insert(m.mutant.id);
    for (int id : ids) os << " " << id;
    os << "\n";
  }
  os << "\n" << health;
  if (!r.sanitizer_notes.empty()) {
    os << "\n## Sanitizer tools left out\n\n";
    for (const std::string& note : r.sanitizer_notes) os << "- " << note << "\n";
  }
  write_lists(os, r);
  return os.str();
}

std::string mutation_summary_csv(const MutationOptions& opt, const MutationReport& r) {
  std::ostringstream os;
  os << "kernel,instance,mutants,equivalent_sass,killed_verify,killed_sanitizer,survived,"
        "not_compiled,score_pct\n";
  for (size_t i = 0; i < std::max<size_t>(1, r.instances.size()); ++i) {
    const MutationCounts n = r.instances.empty() ? count_outcomes(r) : count_outcomes(r, i);
    // A named instance by its name: its symbol may hold a hash of where it was compiled.
    const std::string instance = !opt.instances.empty() && i < r.instances.size()
                                     ? r.instances[i].name
                                 : i < r.symbols.size() ? r.symbols[i]
                                                        : std::string();
    os << csv_cell(kernel_source_file(opt.kernel)) << "," << csv_cell(instance) << "," << n.mutants
       << "," << n.equivalent_sass << "," << n.killed << "," << n.killed_sanitizer << ","
       << n.survived << "," << n.not_compiled << ",";
    if (const auto s = n.score_pct()) {
      std::ostringstream pct;
      pct.setf(std::ios::fixed);
      pct.precision(1);
      pct << *s;
      os << pct.str();
    }
    os << "\n";
  }
  return os.str();
}

}  // namespace qgemv
