#pragma once
// What a CI job shows of an A/B gate's rows (combined or one process's): a markdown table for
// a pull request's summary, and JUnit XML cases, failed only where a row is slower.
#include <string>
#include <vector>

#include "harness/io/junit_xml.h"
#include "harness/results/ab_rows.h"

namespace qgemv {

// A count line ("12 rows: 1 slower, 2 faster, 8 same, 1 ambiguous; base R, candidate R") and
// a table, slower rows first, then faster, ambiguous and same, each in the rows' order.
std::string ab_markdown(const std::vector<AbRow>& rows);

// One case per row (classname "bench.ab.<suite>.<model>" from the key), failed when slower
// with the ratio, its interval and each process's verdict; the others pass.
std::vector<JunitCase> ab_junit_cases(const std::vector<AbRow>& rows);

}  // namespace qgemv
