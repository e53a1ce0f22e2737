#pragma once
// A verify run as JUnit test cases, for CI systems that show those.
#include <vector>

#include "harness/io/junit_xml.h"
#include "harness/verify/verify_suite.h"

namespace qgemv {

// One test case per tally ("mwv/into", "q8_quantize", ...), failed with the failures counted
// toward it.
std::vector<JunitCase> verify_junit_cases(const VerifyReport& rep);

}  // namespace qgemv
