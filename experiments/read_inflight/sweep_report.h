#pragma once
// The read sweep's results and how they are written: a CSV, one row per reader x shape x timing,
// and a markdown summary. Plain C++, tested without a GPU.
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace qgemv::experiment {

// Readers timed beside the variants, as references in the same process.
inline constexpr std::string_view kReadRowReader = "read-row";  // dependent_read.cu, as bench
inline constexpr std::string_view kCeilingReader = "ceiling";   // the ceiling's streaming read
inline constexpr std::string_view kCeilingEndReader = "ceiling-end";  // the same, last

struct SweepRow {
  std::string variant;  // a ReadVariant's name or one of the readers above
  int u = 0;
  int threads = 0;
  std::string shape;
  int64_t bytes = 0;   // read per launch
  std::string timing;  // "launch" or "batch", as qgemv bench --kernel-timing names them
  double us = 0;       // median time per launch
  // The most bytes the reader holds in flight per SM at its occupancy (0: not derived).
  int64_t in_flight_per_sm = 0;
};

struct SweepResult {
  std::string device;  // name, SMs, L2
  int sms = 0;
  double ceiling_gbps = 0;      // measured first; every row's percentage is of this
  double ceiling_end_gbps = 0;  // measured again last: the drift over the run
  std::vector<SweepRow> rows;
};

double row_gbps(const SweepRow& r);
double row_pct_of_ceiling(const SweepRow& r, double ceiling_gbps);

inline constexpr std::string_view kSweepCsvHeader =
    "variant,u,threads,shape,bytes,us,gbps,pct_ceiling,ceiling_gbps,device,timing,"
    "inflight_per_sm";

// kSweepCsvHeader, then a line per row; the device's name is quoted (it may hold a comma).
void write_sweep_csv(std::ostream& out, const SweepResult& r);

// The device and ceiling, Little's law for it at 600 and 800 ns, then per timing a table of
// every reader (rows) against every shape (columns) in % of the ceiling, best per column bold.
void write_sweep_markdown(std::ostream& out, const SweepResult& r);

}  // namespace qgemv::experiment
