#include "experiments/read_inflight/sweep_report.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <ostream>

#include "experiments/read_inflight/read_config.h"

namespace qgemv::experiment {
namespace {

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string reader_name(const SweepRow& r) {
  return r.variant + "/u" + std::to_string(r.u) + "/t" + std::to_string(r.threads);
}

std::string kib(int64_t bytes) { return bytes > 0 ? fixed(double(bytes) / 1024, 0) + " KB" : "-"; }

// Names in the order they first appear.
template <typename Key>
std::vector<std::string> first_seen(const std::vector<const SweepRow*>& rows, Key key) {
  std::vector<std::string> out;
  for (const SweepRow* r : rows)
    if (std::find(out.begin(), out.end(), key(*r)) == out.end()) out.push_back(key(*r));
  return out;
}

void write_timing_table(std::ostream& out, const SweepResult& result, const std::string& timing) {
  std::vector<const SweepRow*> rows;
  for (const SweepRow& r : result.rows)
    if (r.timing == timing && r.variant != kCeilingReader && r.variant != kCeilingEndReader)
      rows.push_back(&r);
  if (rows.empty()) return;
  const auto readers = first_seen(rows, reader_name);
  const auto shapes = first_seen(rows, [](const SweepRow& r) { return r.shape; });
  std::map<std::pair<std::string, std::string>, double> pct;
  std::map<std::string, double> best;
  std::map<std::string, int64_t> in_flight;
  for (const SweepRow* r : rows) {
    const double p = row_pct_of_ceiling(*r, result.ceiling_gbps);
    pct[{reader_name(*r), r->shape}] = p;
    best[r->shape] = std::max(best[r->shape], p);
    in_flight[reader_name(*r)] = r->in_flight_per_sm;
  }
  out << "\n## " << timing
      << " timing, % of the ceiling (median per launch)\n\n| reader | in flight per SM |";
  for (const std::string& s : shapes) out << " " << s << " |";
  out << "\n| --- | ---: |";
  for (size_t i = 0; i < shapes.size(); ++i) out << " ---: |";
  out << "\n";
  for (const std::string& reader : readers) {
    out << "| " << reader << " | " << kib(in_flight[reader]) << " |";
    for (const std::string& s : shapes) {
      const auto it = pct.find({reader, s});
      if (it == pct.end()) {
        out << " |";
        continue;
      }
      const std::string cell = fixed(it->second, 1);
      out << " " << (it->second == best[s] ? "**" + cell + "**" : cell) << " |";
    }
    out << "\n";
  }
}

}  // namespace

double row_gbps(const SweepRow& r) { return r.us > 0 ? double(r.bytes) / (r.us * 1e3) : 0; }

double row_pct_of_ceiling(const SweepRow& r, double ceiling_gbps) {
  return ceiling_gbps > 0 ? 100 * row_gbps(r) / ceiling_gbps : 0;
}

void write_sweep_csv(std::ostream& out, const SweepResult& result) {
  std::string device = result.device;
  for (size_t i = device.find('"'); i != std::string::npos; i = device.find('"', i + 2))
    device.insert(i, 1, '"');
  out << kSweepCsvHeader << "\n";
  for (const SweepRow& r : result.rows)
    out << r.variant << "," << r.u << "," << r.threads << "," << r.shape << "," << r.bytes << ","
        << fixed(r.us, 3) << "," << fixed(row_gbps(r), 1) << ","
        << fixed(row_pct_of_ceiling(r, result.ceiling_gbps), 2) << ","
        << fixed(result.ceiling_gbps, 1) << ",\"" << device << "\"," << r.timing << ","
        << r.in_flight_per_sm << "\n";
}

void write_sweep_markdown(std::ostream& out, const SweepResult& result) {
  out << "# Read variants: bytes in flight per SM\n\n"
      << "- device: " << result.device << "\n"
      << "- read ceiling (4 GiB streaming read, as qgemv bench): " << fixed(result.ceiling_gbps, 0)
      << " GB/s first, " << fixed(result.ceiling_end_gbps, 0)
      << " GB/s last; every percentage is of the first\n";
  if (result.sms > 0 && result.ceiling_gbps > 0) {
    out << "- Little's law at that ceiling over " << result.sms << " SMs: ";
    for (double ns : {600.0, 800.0})
      out << kib(int64_t(bytes_in_flight_needed_per_sm(result.ceiling_gbps, result.sms, ns)))
          << " per SM in flight at " << fixed(ns, 0) << " ns" << (ns < 700 ? ", " : "\n");
  }
  out << "- in flight per SM: the most a reader holds at its occupancy (CTAs per SM x lanes x "
         "u x 16 B); a `loads` CTA holds it only while its loads are outstanding\n"
      << "- readers: `read-row` is qgemv bench's read row (kernels/bench/dependent_read.cu); "
         "`loads/u1/t256` should match it\n";
  write_timing_table(out, result, "batch");
  write_timing_table(out, result, "launch");
}

}  // namespace qgemv::experiment
