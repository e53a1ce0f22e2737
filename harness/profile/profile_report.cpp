#include "harness/profile/profile_report.h"

#include <cstdio>
#include <sstream>

#include "harness/bench/json_string.h"
#include "harness/io/csv_cell.h"
#include "harness/profile/limiter.h"

namespace qgemv::profile {
namespace {

// A counter ncu did not give is printed as "-" (text), empty (CSV) or null (JSON), never as 0.
std::string num(const char* f, double v, const char* missing = "-") {
  if (v < 0) return missing;
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

std::string stalls_text(const KernelCounters& c, size_t top) {
  std::string s;
  for (size_t i = 0; i < c.stalls.size() && i < top; ++i) {
    if (i) s += ", ";
    s += c.stalls[i].reason;
    s += ' ';
    s += num("%.0f%%", c.stalls[i].pct);
  }
  return s.empty() ? "-" : s;
}

std::string shape(const LaunchLabel& l) {
  return l.n > 0 ? std::to_string(l.n) + " x " + std::to_string(l.k) : "-";
}

constexpr size_t kTopStalls = 3;

}  // namespace

std::string profile_text(const ProfileReport& r) {
  std::ostringstream os;
  os << "hardware counters (" << r.ncu_version << ", --clock-control none, caches flushed "
     << "before each kernel) for " << r.subject;
  if (r.path != "-") os << " on path " << r.path;
  os << ", one launch each\n\n"
     << "| kernel | n x k | per token | us | DRAM % peak | read / min | L2 hit | occupancy "
        "| waves/SM | issue % | regs | smem/CTA | limiter |\n"
     << "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | "
        "--- |\n";
  std::vector<Verdict> verdicts;
  for (const KernelCounters& c : r.kernels) verdicts.push_back(classify(c));
  for (size_t i = 0; i < r.kernels.size(); ++i) {
    const KernelCounters& c = r.kernels[i];
    os << "| " << c.launch.label << " | " << shape(c.launch) << " | " << c.launch.per_token << " | "
       << num("%.2f", c.duration_us) << " | " << num("%.1f", c.dram_pct) << " | "
       << num("%.2f", c.read_ratio()) << " | " << num("%.0f%%", c.l2_hit_pct) << " | "
       << num("%.0f%%", c.achieved_occupancy_pct) << " | " << num("%.2f", c.waves_per_sm) << " | "
       << num("%.0f", c.issue_pct) << " | " << num("%.0f", double(c.registers)) << " | "
       << num("%.0f", double(c.shared_bytes)) << " | " << limiter_name(verdicts[i].limiter)
       << " |\n";
  }
  os << "\n(us: ncu's duration of one launch, serialised; read / min: DRAM bytes read over "
        "the fewest the kernel must move; occupancy: warps active, % of the SM's maximum; "
        "issue: slots used, % of active cycles.)\n\n";
  for (size_t i = 0; i < r.kernels.size(); ++i) {
    const KernelCounters& c = r.kernels[i];
    const Verdict& v = verdicts[i];
    os << "- " << c.launch.label << " (" << c.kernel;
    if (!c.sass.empty()) os << ", SASS " << c.sass;
    os << "): " << limiter_name(v.limiter) << ": " << v.evidence
       << ". Stalls: " << stalls_text(c, kTopStalls) << ".\n";
  }
  return os.str();
}

std::string profile_csv(const ProfileReport& r) {
  std::ostringstream os;
  os << "subject,path,kernel,function,n,k,per_token,min_bytes,duration_us,dram_pct,"
        "dram_read_bytes,read_ratio,l2_hit_pct,l1_pct,achieved_occupancy_pct,"
        "theoretical_occupancy_pct,waves_per_sm,issue_pct,eligible_warps,registers,"
        "shared_bytes,grid,block,stall1,stall1_pct,stall2,stall2_pct,stall3,stall3_pct,"
        "limiter,evidence,dram_write_bytes,instructions,spill_instructions,sass\n";
  for (const KernelCounters& c : r.kernels) {
    const Verdict v = classify(c);
    os << csv_cell(r.subject) << ',' << csv_cell(r.path) << ',' << csv_cell(c.launch.label) << ','
       << csv_cell(c.kernel) << ',' << c.launch.n << ',' << c.launch.k << ',' << c.launch.per_token
       << ',' << c.launch.min_bytes << ',' << num("%.3f", c.duration_us, "") << ','
       << num("%.2f", c.dram_pct, "") << ',' << num("%.0f", c.dram_read_bytes, "") << ','
       << num("%.3f", c.read_ratio(), "") << ',' << num("%.2f", c.l2_hit_pct, "") << ','
       << num("%.2f", c.l1_pct, "") << ',' << num("%.2f", c.achieved_occupancy_pct, "") << ','
       << num("%.2f", c.theoretical_occupancy_pct, "") << ',' << num("%.3f", c.waves_per_sm, "")
       << ',' << num("%.2f", c.issue_pct, "") << ',' << num("%.2f", c.eligible_warps, "") << ','
       << num("%.0f", double(c.registers), "") << ',' << num("%.0f", double(c.shared_bytes), "")
       << ',' << num("%.0f", double(c.grid), "") << ',' << num("%.0f", double(c.block), "");
    for (size_t i = 0; i < kTopStalls; ++i) {
      const bool has = i < c.stalls.size();
      os << ',' << (has ? csv_cell(c.stalls[i].reason) : "") << ','
         << (has ? num("%.2f", c.stalls[i].pct, "") : "");
    }
    // What the counter gate reads was added last, after the columns scripts index.
    os << ',' << limiter_key(v.limiter) << ',' << csv_cell(v.evidence) << ','
       << num("%.0f", c.dram_write_bytes, "") << ',' << num("%.0f", c.instructions, "") << ','
       << num("%.0f", c.spill_instructions, "") << ',' << csv_cell(c.sass) << '\n';
  }
  return os.str();
}

std::string profile_json(const ProfileReport& r) {
  std::ostringstream os;
  const auto n = [](const char* f, double v) { return num(f, v, "null"); };
  os << "{\n  \"schema_version\": " << kProfileSchemaVersion
     << ",\n  \"subject\": " << json_string(r.subject) << ",\n  \"path\": " << json_string(r.path)
     << ",\n  \"suite\": " << json_string(r.suite)
     << ",\n  \"ncu_version\": " << json_string(r.ncu_version) << ",\n  \"kernels\": [";
  for (size_t i = 0; i < r.kernels.size(); ++i) {
    const KernelCounters& c = r.kernels[i];
    const Verdict v = classify(c);
    os << (i ? ",\n" : "\n") << "    {\"kernel\": " << json_string(c.launch.label)
       << ", \"function\": " << json_string(c.kernel)
       << ", \"sass\": " << (c.sass.empty() ? "null" : json_string(c.sass))
       << ", \"n\": " << c.launch.n << ", \"k\": " << c.launch.k
       << ", \"per_token\": " << c.launch.per_token << ", \"min_bytes\": " << c.launch.min_bytes
       << ", \"duration_us\": " << n("%.3f", c.duration_us)
       << ", \"dram_pct\": " << n("%.2f", c.dram_pct)
       << ", \"dram_read_bytes\": " << n("%.0f", c.dram_read_bytes)
       << ", \"dram_write_bytes\": " << n("%.0f", c.dram_write_bytes)
       << ", \"instructions\": " << n("%.0f", c.instructions)
       << ", \"spill_instructions\": " << n("%.0f", c.spill_instructions)
       << ", \"read_ratio\": " << n("%.3f", c.read_ratio())
       << ", \"l2_hit_pct\": " << n("%.2f", c.l2_hit_pct) << ", \"l1_pct\": " << n("%.2f", c.l1_pct)
       << ", \"achieved_occupancy_pct\": " << n("%.2f", c.achieved_occupancy_pct)
       << ", \"theoretical_occupancy_pct\": " << n("%.2f", c.theoretical_occupancy_pct)
       << ", \"waves_per_sm\": " << n("%.3f", c.waves_per_sm)
       << ", \"issue_pct\": " << n("%.2f", c.issue_pct)
       << ", \"eligible_warps\": " << n("%.2f", c.eligible_warps)
       << ", \"registers\": " << n("%.0f", double(c.registers))
       << ", \"shared_bytes\": " << n("%.0f", double(c.shared_bytes))
       << ", \"grid\": " << n("%.0f", double(c.grid))
       << ", \"block\": " << n("%.0f", double(c.block)) << ", \"stalls\": [";
    for (size_t s = 0; s < c.stalls.size(); ++s) {
      if (s) os << ", ";
      os << "{\"reason\": " << json_string(c.stalls[s].reason)
         << ", \"pct\": " << n("%.2f", c.stalls[s].pct) << "}";
    }
    os << "], \"limiter\": " << json_string(limiter_key(v.limiter))
       << ", \"evidence\": " << json_string(v.evidence) << "}";
  }
  os << "\n  ]\n}\n";
  return os.str();
}

}  // namespace qgemv::profile
