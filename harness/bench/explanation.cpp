#include "harness/bench/explanation.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "harness/bench/json_string.h"
#include "harness/io/csv_cell.h"

namespace qgemv {
namespace {

std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

std::string pct(double part, double whole) {
  return whole > 0 ? fmt("%.0f%%", 100 * part / whole) : "-";
}

// JSON has no NaN or infinity; a value that is not finite is written as null.
std::string json_number(const char* f, double v) { return std::isfinite(v) ? fmt(f, v) : "null"; }

}  // namespace

const ModeBreakdown& Explanation::slowest() const {
  if (modes.empty()) throw std::logic_error("no modes measured");
  return *std::max_element(modes.begin(), modes.end(),
                           [](const auto& a, const auto& b) { return a.wall_us < b.wall_us; });
}

std::string explanation_text(const Explanation& e) {
  std::ostringstream os;
  const TokenFacts& f = e.facts;
  os << "one token of " << f.preset << " on path " << f.path << ": " << f.gemvs << " GEMVs, "
     << f.kernels << " kernels; " << e.device << ", read ceiling " << fmt("%.0f", f.ceiling_gbps)
     << " GB/s\n"
     << "the token's kernels back to back (nothing on the host in the way): "
     << fmt("%.3f ms", f.kernel_us * 1e-3)
     << "; bandwidth floor (the token's bytes at the ceiling): "
     << fmt("%.3f ms", f.floor_us * 1e-3) << "\n";
  if (f.dependency_us > 0)
    os << "dependency floor (the token's " << f.kernels << " kernels each waiting for the one "
       << "before, at " << fmt("%.2f us", f.dependency_us)
       << " per dependency, measured on a chain of empty kernels in a graph): "
       << fmt("%.3f ms", f.dependency_floor_us() * 1e-3) << "\n";
  os << "\n";
  os << "| mode | token | allocation | launching | synchronisation | other | GPU span | "
        "kernels | gaps |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n";
  for (const ModeBreakdown& m : e.modes) {
    os << "| " << m.mode << " | " << fmt("%.3f ms", m.wall_us * 1e-3);
    for (const CostPart& p : m.parts)
      os << " | " << fmt("%.3f", p.us * 1e-3) << " (" << pct(p.us, m.wall_us) << ")";
    os << " | " << fmt("%.3f", m.gpu_us * 1e-3) << " | " << fmt("%.3f", m.kernel_us * 1e-3) << " | "
       << fmt("%.3f", m.gap_us * 1e-3) << " |\n";
  }
  os << "\n(ms per token, medians; allocation, launching and synchronisation are host time "
        "inside those calls, other is the rest of the host's wall time; the GPU span is split "
        "into the kernels' time and the gaps between them.)\n\n";
  for (const ModeBreakdown& m : e.modes) {
    os << "- " << m.cause << "; " << m.remedy << ".";
    for (const CostPart& p : m.parts)
      if (p.name != "other") os << " " << p.name << ": " << p.detail << ".";
    if (m.unaccounted_fraction() > 0.10)
      os << " (measured parts differ from the token time by "
         << pct(m.measured_us() - m.wall_us, m.wall_us) << ")";
    os << "\n";
  }
  os << "\nlargest cause: " << e.slowest().cause << "; " << e.slowest().remedy << ".\n\n";
  os << "per kernel (each one's launches of every layer back to back behind a gate, per "
        "launch):\n\n"
     << "| kernel | n x k | per token | us per launch | floor us | of floor speed |\n"
     << "| --- | --- | ---: | ---: | ---: | ---: |\n";
  for (const KernelLine& k : e.kernels)
    os << "| " << k.kernel << " | " << k.n << " x " << k.k << " | " << k.per_token << " | "
       << fmt("%.2f", k.median_us) << " | " << fmt("%.2f", k.floor_us) << " | "
       << pct(k.floor_us, k.median_us) << " |\n";
  return os.str();
}

std::string explanation_csv(const Explanation& e) {
  std::ostringstream os;
  os << "preset,path,mode,part,us,share,detail\n";
  const TokenFacts& f = e.facts;
  for (const ModeBreakdown& m : e.modes) {
    auto line = [&](const std::string& part, double us, const std::string& detail) {
      os << csv_cell(f.preset) << ',' << csv_cell(f.path) << ',' << csv_cell(m.mode) << ','
         << csv_cell(part) << ',' << fmt("%.3f", us) << ','
         << fmt("%.4f", m.wall_us > 0 ? us / m.wall_us : 0) << ',' << csv_cell(detail) << "\n";
    };
    line("token", m.wall_us, "host wall time per token");
    for (const CostPart& p : m.parts) line(p.name, p.us, p.detail);
    line("gpu_span", m.gpu_us, "GPU time from the first to the last enqueued work");
    line("kernels", m.kernel_us, "the token's kernels back to back");
    line("gaps", m.gap_us, "GPU span less kernels");
    line("floor", f.floor_us, "the token's bytes at the read ceiling");
    if (f.dependency_us > 0)
      line("dependency_floor", f.dependency_floor_us(),
           std::to_string(f.kernels) + " dependent kernels at " + fmt("%.3f", f.dependency_us) +
               " us each");
    line("cause", 0, m.cause + "; " + m.remedy);
  }
  for (const KernelLine& k : e.kernels)
    os << csv_cell(f.preset) << ',' << csv_cell(f.path) << ",kernel," << csv_cell(k.kernel) << ','
       << fmt("%.3f", k.median_us) << ','
       << fmt("%.4f", k.median_us > 0 ? k.floor_us / k.median_us : 0) << ','
       << csv_cell(std::to_string(k.n) + "x" + std::to_string(k.k) + ", " +
                   std::to_string(k.per_token) + " per token, floor " + fmt("%.3f", k.floor_us) +
                   " us")
       << "\n";
  return os.str();
}

std::string explanation_json(const Explanation& e) {
  std::ostringstream os;
  const TokenFacts& f = e.facts;
  os << "{\n  \"schema_version\": " << kExplanationSchemaVersion
     << ",\n  \"device\": " << json_string(e.device) << ",\n  \"preset\": " << json_string(f.preset)
     << ",\n  \"path\": " << json_string(f.path) << ",\n  \"gemvs\": " << f.gemvs
     << ",\n  \"kernels\": " << f.kernels
     << ",\n  \"ceiling_gbps\": " << json_number("%.1f", f.ceiling_gbps)
     << ",\n  \"kernel_us\": " << json_number("%.3f", f.kernel_us)
     << ",\n  \"floor_us\": " << json_number("%.3f", f.floor_us)
     << ",\n  \"dependency_us\": " << json_number("%.3f", f.dependency_us)
     << ",\n  \"dependency_floor_us\": " << json_number("%.3f", f.dependency_floor_us())
     << ",\n  \"modes\": [";
  for (size_t i = 0; i < e.modes.size(); ++i) {
    const ModeBreakdown& m = e.modes[i];
    os << (i ? "," : "") << "\n    {\"mode\": " << json_string(m.mode)
       << ", \"token_us\": " << json_number("%.3f", m.wall_us)
       << ", \"gpu_us\": " << json_number("%.3f", m.gpu_us)
       << ", \"kernel_us\": " << json_number("%.3f", m.kernel_us)
       << ", \"gap_us\": " << json_number("%.3f", m.gap_us) << ", \"parts\": {";
    for (size_t j = 0; j < m.parts.size(); ++j)
      os << (j ? ", " : "") << json_string(m.parts[j].name)
         << ": {\"us\": " << json_number("%.3f", m.parts[j].us)
         << ", \"detail\": " << json_string(m.parts[j].detail) << "}";
    os << "}, \"cause\": " << json_string(m.cause) << ", \"remedy\": " << json_string(m.remedy)
       << "}";
  }
  os << "\n  ],\n  \"largest_cause\": "
     << json_string(e.slowest().cause + "; " + e.slowest().remedy) << ",\n  \"kernel_pass\": [";
  for (size_t i = 0; i < e.kernels.size(); ++i) {
    const KernelLine& k = e.kernels[i];
    os << (i ? "," : "") << "\n    {\"kernel\": " << json_string(k.kernel) << ", \"n\": " << k.n
       << ", \"k\": " << k.k << ", \"per_token\": " << k.per_token
       << ", \"median_us\": " << json_number("%.3f", k.median_us)
       << ", \"floor_us\": " << json_number("%.3f", k.floor_us) << "}";
  }
  os << "\n  ]\n}\n";
  return os.str();
}

}  // namespace qgemv
