#pragma once
// Every kept sample of every row of a run (`qgemv bench --samples-out`), so that `qgemv
// compare` can test two runs' samples against each other rather than their summaries. A CSV
// with the columns key (a results row's key), index (0-based) and us (the row's timed
// quantity: kernel rows' GPU microseconds per launch, token rows' host wall time).
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace qgemv {

using SamplesByKey = std::map<std::string, std::vector<double>>;

// Writes atomically (a failed run leaves no half file); throws ResultsFileError.
void write_samples_file(const std::string& path,
                        const std::vector<std::pair<std::string, std::vector<double>>>& rows);

// Throws ResultsFileError naming the file and line: a bad header, a non-finite or negative
// sample, or a row whose indices are not 0, 1, 2, ... in order.
SamplesByKey read_samples_file(const std::string& path);

// Reads and pools several files' samples key by key (a baseline of several runs).
SamplesByKey read_samples_files(const std::vector<std::string>& paths);

}  // namespace qgemv
