#pragma once
// JUnit XML, the report format CI systems (GitLab, Jenkins, GitHub actions' reporters) already
// show: one <testsuite> of <testcase>s, each passed, failed (with a message and details) or
// skipped. Written atomically, as every qgemv output is.
#include <string>
#include <vector>

namespace qgemv {

struct JunitCase {
  std::string classname;  // groups cases: "compare.kernel.qwen2.5-7b", "verify.mwv"
  std::string name;
  double seconds = 0;
  enum class Outcome { kPassed, kFailed, kSkipped } outcome = Outcome::kPassed;
  std::string message;  // one line, for failures and skips
  std::string details;  // the numbers behind a failure
};

// XML text: escaped (&, <, >, quotes; control characters other than tab and newline dropped, as
// XML 1.0 cannot hold them).
std::string junit_xml(const std::string& suite, const std::vector<JunitCase>& cases);

void write_junit_xml(const std::string& path, const std::string& suite,
                     const std::vector<JunitCase>& cases);

}  // namespace qgemv
