#pragma once
// The counter gate: two profiles of one workload (a base build's and a candidate's, from
// `qgemv profile`) compared kernel by kernel on the counters that do not drift between
// processes, unlike ncu's durations: instructions executed, DRAM bytes read and written,
// registers per thread, spill instructions and shared memory per CTA.
//
// Rules, per counter (docs/profile.md, "The counter gate", with the measurements behind them):
//  - instructions executed: fails when it grows by more than `instructions_pct`;
//  - DRAM bytes read, written: fail when they grow by more than `dram_pct` and by more than
//    `dram_floor_bytes` (the few hundred bytes a small kernel's reads vary by between processes
//    are many percent of a 13 KB quantization);
//  - spill instructions: fail when they grow at all;
//  - registers, shared memory: any change is reported, none fails (a change of the compiled
//    code, whose cost the time gate judges).
// A counter either side lacks is reported as unknown and never fails. The profiles hold no hash
// of a kernel's SASS, so the gate cannot tell unchanged code and compares every kernel; one
// whose counters are all equal is reported as unchanged.
#include <string>
#include <vector>

#include "harness/io/junit_xml.h"
#include "harness/profile/profile_report.h"

namespace qgemv::profile {

struct CounterGateLimits {
  double instructions_pct = 0.5;
  double dram_pct = 0.5;
  double dram_floor_bytes = 4096;
};

struct CounterChange {
  std::string counter;         // "instructions", "dram_read_bytes", ... as the JSON names them
  double base = -1, now = -1;  // -1: that side's profile lacks the counter
  bool changed = false;        // the values differ (both known)
  bool fails = false;          // the change breaks the counter's rule
};

enum class KernelOutcome { kUnchanged, kChanged, kFails, kOnlyInBase, kOnlyInNew };

struct KernelComparison {
  std::string
      key;  // label, shape and, for a label launched again, its occurrence: "q8_quantize 1x1536 #2"
  std::string base_function, new_function;  // "" on the side that lacks the kernel
  KernelOutcome outcome = KernelOutcome::kUnchanged;
  std::vector<CounterChange> counters;  // every compared counter, in a fixed order
};

struct CounterGateReport {
  std::string base_name, new_name;  // what each profile was read from
  std::string subject, suite, base_path, new_path;
  CounterGateLimits limits;
  std::vector<KernelComparison> kernels;  // the base's launch order, then those only in the new
  bool fails() const;
};

// Throws std::invalid_argument when the profiles are of different workloads (subject or
// suite differ): their kernels could be paired by label and mean nothing.
CounterGateReport compare_counters(const ProfileReport& base, const ProfileReport& now,
                                   const CounterGateLimits& limits);

std::string counter_gate_text(const CounterGateReport& r);
std::string counter_gate_csv(const CounterGateReport& r);
std::string counter_gate_json(const CounterGateReport& r);
// One case per kernel: failed on a failing change, skipped when one side lacks it.
std::vector<JunitCase> counter_gate_junit(const CounterGateReport& r);

// counter_gate_json's "schema_version": raised whenever a key is renamed, removed or changes
// meaning.
inline constexpr int kCounterGateSchemaVersion = 1;

}  // namespace qgemv::profile
