// libFuzzer target for the results CSV reader: any bytes must be read or be rejected with a
// ResultsFileError; anything else (another exception, a crash, a read outside a buffer under
// AddressSanitizer, undefined behaviour under UBSan) is a finding. So is a file it accepts whose
// rows, written by write_results_csv and read again, are not the same rows. Built and run by
// scripts/fuzz-results.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "harness/results/results_csv.h"

namespace {

using qgemv::ResultRow;

// read_results_file takes a path, and the reader opens the file itself (fast-cpp-csv-parser
// could read a buffer, but the reader does not offer one), so every input goes into one
// in-memory file, opened by its /proc path: no disk write per input.
class MemoryFile {
 public:
  MemoryFile() : fd_(memfd_create("results.csv", 0)) {
    if (fd_ < 0) die("memfd_create failed");
  }
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }
  void hold(const void* data, size_t size) const {
    if (ftruncate(fd_, 0) != 0 || pwrite(fd_, data, size, 0) != ssize_t(size))
      die("cannot write the input to the memory file");
  }

 private:
  [[noreturn]] static void die(const char* what) {
    std::perror(what);
    std::abort();
  }
  int fd_;
};

// The fields a write must keep exactly; numbers are written with 9 digits, so the doubles
// are compared by the text of a second write instead.
auto exact_fields(const ResultRow& r) {
  return std::tie(r.schema_version, r.suite, r.preset, r.projection, r.path, r.mode, r.n, r.k,
                  r.device, r.driver, r.cuda_runtime, r.git_rev, r.repetitions, r.bytes,
                  r.allocations, r.launches);
}

std::string csv_text(const std::vector<ResultRow>& rows) {
  std::ostringstream os;
  qgemv::write_results_csv(os, rows);
  return os.str();
}

[[noreturn]] void finding(const std::string& what, const std::string& written) {
  std::fprintf(stderr, "results_reader_fuzz: %s\nthe rows as written:\n%s\n", what.c_str(),
               written.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const MemoryFile file;
  file.hold(data, size);
  std::vector<ResultRow> rows;
  try {
    rows = qgemv::read_results_file(file.path());
  } catch (const qgemv::ResultsFileError&) {
    return 0;
  }
  const std::string written = csv_text(rows);
  file.hold(written.data(), written.size());
  std::vector<ResultRow> again;
  try {
    again = qgemv::read_results_file(file.path());
  } catch (const qgemv::ResultsFileError& e) {
    finding(std::string("accepted rows, once written, are rejected: ") + e.what(), written);
  }
  if (again.size() != rows.size())
    finding(std::to_string(rows.size()) + " rows read back as " + std::to_string(again.size()),
            written);
  for (size_t i = 0; i < rows.size(); ++i)
    if (exact_fields(rows[i]) != exact_fields(again[i]))
      finding("row " + std::to_string(i) + " (" + rows[i].key() + ") read back as " +
                  again[i].key() + " or with other strings or integers",
              written);
  if (csv_text(again) != written) finding("a second write differs from the first", written);
  return 0;
}
