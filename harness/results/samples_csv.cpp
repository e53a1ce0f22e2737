#include "harness/results/samples_csv.h"

#include <charconv>
#include <cmath>

#include "harness/io/atomic_write.h"
#include "harness/io/csv_cell.h"
#include "harness/io/csv_records.h"
#include "harness/io/read_whole_file.h"
#include "harness/results/results_csv.h"

namespace qgemv {
namespace {

[[noreturn]] void fail(const std::string& path, long line, const std::string& what) {
  throw ResultsFileError(path + ":" + std::to_string(line) + ": " + what);
}

template <typename T>
T parse_number(const std::string& path, long line, const std::string& col, const std::string& t) {
  T v{};
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || ptr != t.data() + t.size())
    fail(path, line, "column " + col + ": expected a number, got '" + t + "'");
  return v;
}

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

// Far beyond any run's (a full suite keeps about 2.5 MB), and short of what would exhaust a
// machine's memory when a device (/dev/zero) or a wrong file is named.
constexpr size_t kMaxSamplesFileBytes = size_t(1) << 30;

SamplesByKey read_samples_file(const std::string& path) {
  std::vector<CsvRecord> records;
  try {
    const std::string text = read_whole_file(path, kMaxSamplesFileBytes);
    if (text.size() > kMaxSamplesFileBytes)
      throw ResultsFileError(path + ": larger than 1 GiB; not a samples file qgemv wrote");
    records = split_csv_records(text);
  } catch (const CsvSyntaxError& e) {
    fail(path, e.line, e.what());
  } catch (const ResultsFileError&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw ResultsFileError(e.what());
  }
  if (records.empty()) throw ResultsFileError(path + ": empty file, no header line");
  const std::vector<std::string> header = {"key", "index", "us"};
  if (records[0].fields != header) fail(path, records[0].line, "expected the header key,index,us");
  SamplesByKey out;
  for (size_t i = 1; i < records.size(); ++i) {
    const CsvRecord& rec = records[i];
    if (rec.fields.size() != 3)
      fail(path, rec.line, std::to_string(rec.fields.size()) + " fields, expected 3");
    std::vector<double>& samples = out[rec.fields[0]];
    const auto index = parse_number<size_t>(path, rec.line, "index", rec.fields[1]);
    if (index != samples.size())
      fail(path, rec.line,
           "sample " + std::to_string(index) + " of " + rec.fields[0] + " where " +
               std::to_string(samples.size()) + " was due (a row's samples come in order, once)");
    const auto us = parse_number<double>(path, rec.line, "us", rec.fields[2]);
    if (!std::isfinite(us) || us < 0)
      fail(path, rec.line, "column us: expected a finite, non-negative time, got " + rec.fields[2]);
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
