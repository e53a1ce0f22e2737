#pragma once
// Nsight Compute's raw page as CSV (`ncu --import R --csv --page raw`): a header row naming
// the columns ("ID", "Kernel Name", ..., then one column per metric), an optional row of units,
// then one row per profiled kernel launch. Lines before the header (ncu's ==PROF== notes) are
// skipped. Values are converted to base units (bytes, nanoseconds) whatever ncu printed, and
// the thousands separators ncu may print are removed.
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace qgemv::profile {

struct NcuCsvError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct NcuKernelRow {
  int id = 0;                               // ncu's launch number, in profiling order
  std::string kernel;                       // "Kernel Name"
  std::map<std::string, std::string> text;  // every column as printed
  std::map<std::string, double> metrics;    // every numeric metric column, in base units
  std::optional<double> metric(const std::string& name) const;
};

// The kernel rows in profiling order. Throws NcuCsvError when there is no header row or a
// row's width differs from the header's.
std::vector<NcuKernelRow> parse_ncu_raw_csv(std::string_view text);

// A value as ncu prints it ("1,234.5", "n/a") in `unit` ("Kbyte", "usecond", "%"), in base
// units (byte, nanosecond); nullopt when it is not a number.
std::optional<double> ncu_value(const std::string& value, const std::string& unit);

}  // namespace qgemv::profile
