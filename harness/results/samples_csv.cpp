#include "harness/results/samples_csv.h"

#include <cmath>

#include "harness/io/atomic_write.h"
#include "harness/io/csv_cell.h"
#include "harness/results/csv_file.h"

namespace qgemv {
namespace {

// Far beyond any run's (a full suite keeps about 2.5 MB), and short of what would exhaust a
// machine's memory when a device (/dev/zero) or a wrong file is named.
constexpr size_t kMaxSamplesFileBytes = size_t(1) << 30;

}  // namespace

void write_samples_file(const std::string& path,
                        const std::vector<std::pair<std::string, std::vector<double>>>& rows) {
  try {
    write_file_atomically(path, std::ios::out, [&](std::ostream& os) {
      os << "key,index,us\n";
      os.precision(17);
      for (const auto& [key, samples] : rows)
        for (size_t i = 0; i < samples.size(); ++i)
          os << csv_cell(key) << ',' << i << ',' << samples[i] << '\n';
    });
  } catch (const std::runtime_error& e) {
    throw ResultsFileError(e.what());
  }
}

SamplesByKey read_samples_file(const std::string& path) {
  const std::vector<CsvRecord> records =
      read_csv_file(path, kMaxSamplesFileBytes, "a samples file");
  const std::vector<std::string> header = {"key", "index", "us"};
  if (records[0].fields != header)
    fail_at(path, records[0].line, "expected the header key,index,us");
  SamplesByKey out;
  for (size_t i = 1; i < records.size(); ++i) {
    const CsvRecord& rec = records[i];
    if (rec.fields.size() != 3)
      fail_at(path, rec.line, std::to_string(rec.fields.size()) + " fields, expected 3");
    std::vector<double>& samples = out[rec.fields[0]];
    const auto index = parse_cell<size_t>(path, rec.line, "index", rec.fields[1], "an index");
    if (index != samples.size())
      fail_at(path, rec.line,
              "sample " + std::to_string(index) + " of " + rec.fields[0] + " where " +
                  std::to_string(samples.size()) +
                  " was due (a row's samples come in order, once)");
    const auto us = parse_cell<double>(path, rec.line, "us", rec.fields[2], "a number");
    if (!std::isfinite(us) || us < 0)
      fail_at(path, rec.line,
              "column us: expected a finite, non-negative time, got " + rec.fields[2]);
    samples.push_back(us);
  }
  return out;
}

SamplesByKey read_samples_files(const std::vector<std::string>& paths) {
  SamplesByKey pooled;
  for (const std::string& p : paths)
    for (auto& [key, samples] : read_samples_file(p)) {
      std::vector<double>& to = pooled[key];
      to.insert(to.end(), samples.begin(), samples.end());
    }
  return pooled;
}

}  // namespace qgemv
