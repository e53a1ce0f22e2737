#include "harness/verify/verify_junit.h"

namespace qgemv {

std::vector<JunitCase> verify_junit_cases(const VerifyReport& rep) {
  std::vector<JunitCase> out;
  for (const auto& [name, t] : rep.tallies) {
    JunitCase j;
    j.classname = "verify." + name.substr(0, name.find('/'));
    j.name = name + " (" + std::to_string(t.cases) + " cases)";
    if (t.failures == 0) {
      out.push_back(std::move(j));
      continue;
    }
    j.outcome = JunitCase::Outcome::kFailed;
    j.message = std::to_string(t.failures) + " of " + std::to_string(t.cases) + " failed";
    for (const Failure& f : rep.failures)
      if (f.tally == name) j.details += f.text + "\n";
    if (j.details.empty()) j.details = "see the run's output and record for the failures";
    out.push_back(std::move(j));
  }
  // A run on a GPU that became unhealthy has no verdict: its passes must not read as passes.
  JunitCase health;
  health.classname = "verify.device";
  health.name = "GPU healthy throughout the run";
  if (!rep.health.unhealthy.empty()) {
    health.outcome = JunitCase::Outcome::kFailed;
    health.message = "the GPU became unhealthy: no verdict";
    health.details = health_summary(rep.health);
  }
  out.push_back(std::move(health));
  return out;
}

}  // namespace qgemv
