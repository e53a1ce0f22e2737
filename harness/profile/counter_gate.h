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
// A counter either side lacks is reported as unknown and never fails. A kernel whose code
// identity (sass_record.h) is known and equal on both sides, launched alike (grid, block and
// shared memory equal), is skipped: the same SASS, its counters not compared, never failing
// (what it executes and reads is fixed by its code, its launch and its shape, which is part of
// the key). Every other kernel is compared: its SASS differs, a side does not know it (a profile
// saved before identities were recorded, a kernel whose cubin could not be read), or the host
// launches the same code differently. One whose counters are all equal is unchanged.
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

enum class KernelOutcome { kSameSass, kUnchanged, kChanged, kFails, kOnlyInBase, kOnlyInNew };

// The two sides' code identities: equal, different, or either one unknown.
enum class CodeMatch { kSame, kDifferent, kUnknown };

struct KernelComparison {
  std::string
      key;  // label, shape and, for a label launched again, its occurrence: "q8_quantize 1x1536 #2"
  std::string base_function, new_function;  // "" on the side that lacks the kernel
  std::string base_sass, new_sass;          // the code identities; "" unknown
  CodeMatch code = CodeMatch::kUnknown;
  std::string relaunched;  // the same SASS launched differently: "grid 132 -> 264", else ""
  KernelOutcome outcome = KernelOutcome::kUnchanged;
  std::vector<CounterChange> counters;  // every compared counter, in a fixed order; none for
                                        // the same SASS
};

struct CounterGateReport {
  std::string base_name, new_name;  // what each profile was read from
  std::string subject, suite, base_path, new_path;
  CounterGateLimits limits;
  std::vector<KernelComparison> kernels;  // the base's launch order, then those only in the new
  bool identities_recorded = false;       // some kernel of either profile has a code identity
  bool fails() const;
};

// Throws std::invalid_argument when the profiles are of different workloads (subject or
// suite differ): their kernels could be paired by label and mean nothing.
CounterGateReport compare_counters(const ProfileReport& base, const ProfileReport& now,
                                   const CounterGateLimits& limits);

std::string counter_gate_text(const CounterGateReport& r);
std::string counter_gate_csv(const CounterGateReport& r);
std::string counter_gate_json(const CounterGateReport& r);
// One case per kernel: failed on a failing change, skipped when one side lacks it or both have
// the same SASS.
std::vector<JunitCase> counter_gate_junit(const CounterGateReport& r);

// counter_gate_json's "schema_version": raised whenever a key is renamed, removed or changes
// meaning. 2: a kernel in both profiles may have the outcome "same SASS" and no counters.
inline constexpr int kCounterGateSchemaVersion = 2;

}  // namespace qgemv::profile
