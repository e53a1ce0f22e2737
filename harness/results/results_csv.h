#pragma once
// Reading and writing results CSVs. Reading checks the header, the schema version, every
// number, and duplicate keys; errors name the file and line.
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/results/result_row.h"

namespace qgemv {

struct ResultsFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void write_results_csv(std::ostream& os, const std::vector<ResultRow>& rows);

// Writes through a temporary file and a rename, so a failed run never leaves half a file.
void write_results_file(const std::string& path, const std::vector<ResultRow>& rows);

std::vector<ResultRow> read_results_file(const std::string& path);

}  // namespace qgemv
