#include "harness/profile/counter_gate.h"

#include <cstdio>
#include <map>
#include <sstream>
#include <stdexcept>

#include "harness/bench/json_string.h"
#include "harness/io/csv_cell.h"

namespace qgemv::profile {
namespace {

enum class Rule { kGrowthPct, kGrowthPctAndBytes, kNoGrowth, kReport };

struct Counter {
  const char* name;
  double (*get)(const KernelCounters&);
  Rule rule;
};

constexpr Counter kCounters[] = {
    {"instructions", [](const KernelCounters& c) { return c.instructions; }, Rule::kGrowthPct},
    {"dram_read_bytes", [](const KernelCounters& c) { return c.dram_read_bytes; },
     Rule::kGrowthPctAndBytes},
    {"dram_write_bytes", [](const KernelCounters& c) { return c.dram_write_bytes; },
     Rule::kGrowthPctAndBytes},
    {"spill_instructions", [](const KernelCounters& c) { return c.spill_instructions; },
     Rule::kNoGrowth},
    {"registers", [](const KernelCounters& c) { return double(c.registers); }, Rule::kReport},
    {"shared_bytes", [](const KernelCounters& c) { return double(c.shared_bytes); }, Rule::kReport},
};

CounterChange compare_one(const Counter& k, const KernelCounters& base, const KernelCounters& now,
                          const CounterGateLimits& limits) {
  CounterChange c{k.name, k.get(base), k.get(now)};
  if (c.base < 0 || c.now < 0) return c;
  c.changed = c.now != c.base;
  const double growth = c.now - c.base;
  // A counter growing from 0 has no relative change; any growth of it is past any percentage.
  const double pct = k.rule == Rule::kGrowthPct ? limits.instructions_pct : limits.dram_pct;
  const bool past_pct = growth > 0 && growth > c.base * pct / 100;
  switch (k.rule) {
    case Rule::kGrowthPct:
      c.fails = past_pct;
      break;
    case Rule::kGrowthPctAndBytes:
      c.fails = past_pct && growth > limits.dram_floor_bytes;
      break;
    case Rule::kNoGrowth:
      c.fails = growth > 0;
      break;
    case Rule::kReport:
      break;
  }
  return c;
}

std::string shape(const LaunchLabel& l) {
  std::string s;
  if (l.n > 0) {
    s += ' ';
    s += std::to_string(l.n);
    s += 'x';
    s += std::to_string(l.k);
  }
  return s;
}

// Each kernel's key: its label and shape, numbered from the second launch of the same pair
// (a token layer quantizes its input before each projection).
std::vector<std::string> keys(const ProfileReport& r) {
  std::map<std::string, int> seen;
  std::vector<std::string> out;
  for (const KernelCounters& c : r.kernels) {
    const std::string base = c.launch.label + shape(c.launch);
    const int n = ++seen[base];
    out.push_back(n == 1 ? base : base + " #" + std::to_string(n));
  }
  return out;
}

const char* outcome_name(KernelOutcome o) {
  switch (o) {
    case KernelOutcome::kSameSass:
      return "same SASS";
    case KernelOutcome::kUnchanged:
      return "unchanged";
    case KernelOutcome::kChanged:
      return "changed";
    case KernelOutcome::kFails:
      return "fails";
    case KernelOutcome::kOnlyInBase:
      return "only in base";
    case KernelOutcome::kOnlyInNew:
      return "only in new";
  }
  return "?";
}

// In CodeMatch's order.
constexpr const char* kCodeNames[] = {"same", "different", "unknown"};
const char* code_name(CodeMatch c) { return kCodeNames[int(c)]; }

CodeMatch code_match(const std::string& base, const std::string& now) {
  if (base.empty() || now.empty()) return CodeMatch::kUnknown;
  return base == now ? CodeMatch::kSame : CodeMatch::kDifferent;
}

// What the host chooses when it launches a kernel: with the same SASS, these alone can change
// what the kernel executes and reads.
std::string launch_change(const KernelCounters& base, const KernelCounters& now) {
  std::string s;
  const auto differs = [&](const char* what, int64_t b, int64_t n) {
    if (b == n) return;
    if (!s.empty()) s += ", ";
    s.append(what).append(" ").append(std::to_string(b)).append(" -> ").append(std::to_string(n));
  };
  differs("grid", base.grid, now.grid);
  differs("block", base.block, now.block);
  differs("shared bytes", base.shared_bytes, now.shared_bytes);
  return s;
}

std::string num(double v, const char* missing) {
  if (v < 0) return missing;
  char b[32];
  std::snprintf(b, sizeof b, "%.0f", v);
  return b;
}

// The change in percent of the base; "" when it has none (a side unknown, or a base of 0).
std::string change_pct(const CounterChange& c) {
  if (c.base < 0 || c.now < 0 || (c.base == 0 && c.now != 0)) return "";
  char b[32];
  std::snprintf(b, sizeof b, "%+.3f", c.base == 0 ? 0.0 : 100 * (c.now - c.base) / c.base);
  return b;
}

std::string change_text(const CounterChange& c) {
  std::string s = c.counter + " " + num(c.base, "?") + " -> " + num(c.now, "?");
  const std::string pct = change_pct(c);
  if (!pct.empty()) s += " (" + pct + "%)";
  if (c.fails) s += " FAILS";
  return s;
}

// Appends an item to a "; " list (or ", "). Built by appending: GCC 12 misreads the
// `const char* + std::string` form as an overlapping memcpy (-Werror=restrict).
void add(std::string& list, const std::string& item, const char* sep = "; ") {
  if (!list.empty()) list += sep;
  list += item;
}

std::string changes_text(const KernelComparison& k, bool identities_recorded) {
  if (k.outcome == KernelOutcome::kSameSass) return "counters not compared";
  std::string s;
  for (const CounterChange& c : k.counters)
    if (c.changed) add(s, change_text(c));
  std::string unknown;
  for (const CounterChange& c : k.counters)
    if (c.base < 0 || c.now < 0) add(unknown, c.counter, ", ");
  if (!unknown.empty()) add(s, "unknown on a side: " + unknown);
  if (!k.base_function.empty() && !k.new_function.empty() && k.base_function != k.new_function)
    add(s, "function " + k.base_function + " -> " + k.new_function);
  if (k.code == CodeMatch::kDifferent) add(s, "SASS changed");
  if (k.code == CodeMatch::kSame) add(s, "same SASS, launched differently: " + k.relaunched);
  // Profiles with no identity at all say so once, in the header.
  if (k.code == CodeMatch::kUnknown && identities_recorded) add(s, "code identity unknown");
  return s.empty() ? "-" : s;
}

}  // namespace

bool CounterGateReport::fails() const {
  for (const KernelComparison& k : kernels)
    if (k.outcome == KernelOutcome::kFails) return true;
  return false;
}

CounterGateReport compare_counters(const ProfileReport& base, const ProfileReport& now,
                                   const CounterGateLimits& limits) {
  if (base.subject != now.subject || base.suite != now.suite)
    throw std::invalid_argument("the profiles are of different workloads (" + base.subject + ", " +
                                base.suite + " suite against " + now.subject + ", " + now.suite +
                                " suite): profile both with the same --preset and --suite");
  CounterGateReport r;
  r.subject = base.subject;
  r.suite = base.suite;
  r.base_path = base.path;
  r.new_path = now.path;
  r.limits = limits;
  for (const ProfileReport* p : {&base, &now})
    for (const KernelCounters& c : p->kernels) r.identities_recorded |= !c.sass.empty();
  const std::vector<std::string> base_keys = keys(base), new_keys = keys(now);
  std::map<std::string, size_t> in_new;
  for (size_t i = 0; i < new_keys.size(); ++i) in_new[new_keys[i]] = i;
  std::map<std::string, bool> matched;
  for (size_t i = 0; i < base_keys.size(); ++i) {
    KernelComparison k;
    k.key = base_keys[i];
    k.base_function = base.kernels[i].kernel;
    k.base_sass = base.kernels[i].sass;
    const auto it = in_new.find(k.key);
    if (it == in_new.end()) {
      k.outcome = KernelOutcome::kOnlyInBase;
      r.kernels.push_back(std::move(k));
      continue;
    }
    matched[k.key] = true;
    const KernelCounters& n = now.kernels[it->second];
    k.new_function = n.kernel;
    k.new_sass = n.sass;
    k.code = code_match(k.base_sass, k.new_sass);
    if (k.code == CodeMatch::kSame) k.relaunched = launch_change(base.kernels[i], n);
    if (k.code == CodeMatch::kSame && k.relaunched.empty()) {
      k.outcome = KernelOutcome::kSameSass;
      r.kernels.push_back(std::move(k));
      continue;
    }
    bool changed = k.base_function != k.new_function, fails = false;
    for (const Counter& c : kCounters) {
      k.counters.push_back(compare_one(c, base.kernels[i], n, limits));
      changed |= k.counters.back().changed;
      fails |= k.counters.back().fails;
    }
    k.outcome = fails     ? KernelOutcome::kFails
                : changed ? KernelOutcome::kChanged
                          : KernelOutcome::kUnchanged;
    r.kernels.push_back(std::move(k));
  }
  for (size_t i = 0; i < new_keys.size(); ++i)
    if (!matched.count(new_keys[i])) {
      KernelComparison k;
      k.key = new_keys[i];
      k.new_function = now.kernels[i].kernel;
      k.new_sass = now.kernels[i].sass;
      k.outcome = KernelOutcome::kOnlyInNew;
      r.kernels.push_back(std::move(k));
    }
  return r;
}

std::string counter_gate_text(const CounterGateReport& r) {
  std::ostringstream os;
  os << "counter gate: " << r.subject << " (" << r.suite << " suite), base " << r.base_name
     << " (path " << r.base_path << ") against new " << r.new_name << " (path " << r.new_path
     << ")\nfails on: instructions executed +" << r.limits.instructions_pct
     << "%, DRAM bytes read or written +" << r.limits.dram_pct << "% and +"
     << num(r.limits.dram_floor_bytes, "?")
     << " bytes, any new spill instruction; registers and shared memory are reported\n"
     << (r.identities_recorded
             ? "(same SASS: the kernel's code identity equal on both sides and launched alike, "
               "its counters not compared; the others are compared, unchanged = every counter "
               "equal)\n\n"
             : "(neither profile records the kernels' code identities (saved before they were): "
               "every kernel is compared; unchanged = every counter equal)\n\n")
     << "| kernel | outcome | changes |\n| --- | --- | --- |\n";
  int counts[6] = {};
  for (const KernelComparison& k : r.kernels) {
    ++counts[int(k.outcome)];
    os << "| " << k.key << " | " << outcome_name(k.outcome) << " | "
       << (k.outcome == KernelOutcome::kOnlyInBase || k.outcome == KernelOutcome::kOnlyInNew
               ? (k.base_function.empty() ? k.new_function : k.base_function)
               : changes_text(k, r.identities_recorded))
       << " |\n";
  }
  os << "\n"
     << r.kernels.size() << " kernels: " << counts[int(KernelOutcome::kSameSass)]
     << " same SASS (not compared), " << counts[int(KernelOutcome::kUnchanged)] << " unchanged, "
     << counts[int(KernelOutcome::kChanged)] << " changed within the limits, "
     << counts[int(KernelOutcome::kFails)] << " failing, "
     << counts[int(KernelOutcome::kOnlyInBase)] << " only in base, "
     << counts[int(KernelOutcome::kOnlyInNew)] << " only in new: " << (r.fails() ? "FAIL" : "pass")
     << "\n";
  return os.str();
}

std::string counter_gate_csv(const CounterGateReport& r) {
  std::ostringstream os;
  // The code identities were added last, after the columns scripts index.
  os << "kernel,base_function,new_function,outcome,counter,base,new,change_pct,fails,code,"
        "base_sass,new_sass\n";
  for (const KernelComparison& k : r.kernels) {
    const std::string head = csv_cell(k.key) + ',' + csv_cell(k.base_function) + ',' +
                             csv_cell(k.new_function) + ',' + csv_cell(outcome_name(k.outcome));
    std::string code = ",";
    code.append(code_name(k.code)).append(",").append(csv_cell(k.base_sass));
    code.append(",").append(csv_cell(k.new_sass));
    if (k.counters.empty()) os << head << ",,,,," << code << '\n';
    for (const CounterChange& c : k.counters)
      os << head << ',' << c.counter << ',' << num(c.base, "") << ',' << num(c.now, "") << ','
         << change_pct(c) << ',' << (c.fails ? 1 : 0) << code << '\n';
  }
  return os.str();
}

std::string counter_gate_json(const CounterGateReport& r) {
  std::ostringstream os;
  os << "{\n  \"schema_version\": " << kCounterGateSchemaVersion
     << ",\n  \"base\": " << json_string(r.base_name) << ",\n  \"new\": " << json_string(r.new_name)
     << ",\n  \"subject\": " << json_string(r.subject) << ",\n  \"suite\": " << json_string(r.suite)
     << ",\n  \"base_path\": " << json_string(r.base_path)
     << ",\n  \"new_path\": " << json_string(r.new_path)
     << ",\n  \"limits\": {\"instructions_pct\": " << r.limits.instructions_pct
     << ", \"dram_pct\": " << r.limits.dram_pct
     << ", \"dram_floor_bytes\": " << num(r.limits.dram_floor_bytes, "null") << "}"
     << ",\n  \"fails\": " << (r.fails() ? "true" : "false") << ",\n  \"kernels\": [";
  for (size_t i = 0; i < r.kernels.size(); ++i) {
    const KernelComparison& k = r.kernels[i];
    os << (i ? ",\n" : "\n") << "    {\"kernel\": " << json_string(k.key)
       << ", \"base_function\": " << json_string(k.base_function)
       << ", \"new_function\": " << json_string(k.new_function)
       << ", \"outcome\": " << json_string(outcome_name(k.outcome))
       << ", \"code\": " << json_string(code_name(k.code))
       << ", \"base_sass\": " << (k.base_sass.empty() ? "null" : json_string(k.base_sass))
       << ", \"new_sass\": " << (k.new_sass.empty() ? "null" : json_string(k.new_sass))
       << ", \"counters\": [";
    for (size_t j = 0; j < k.counters.size(); ++j) {
      const CounterChange& c = k.counters[j];
      std::string pct = change_pct(c);
      if (!pct.empty() && pct[0] == '+') pct.erase(0, 1);  // JSON numbers take no '+'

      os << (j ? ", " : "") << "{\"counter\": " << json_string(c.counter)
         << ", \"base\": " << num(c.base, "null") << ", \"new\": " << num(c.now, "null")
         << ", \"change_pct\": " << (pct.empty() ? "null" : pct)
         << ", \"fails\": " << (c.fails ? "true" : "false") << "}";
    }
    os << "]}";
  }
  os << "\n  ]\n}\n";
  return os.str();
}

std::vector<JunitCase> counter_gate_junit(const CounterGateReport& r) {
  std::vector<JunitCase> out;
  for (const KernelComparison& k : r.kernels) {
    JunitCase c;
    c.classname = "profile.counters." + r.subject;
    c.name = k.key;
    if (k.outcome == KernelOutcome::kFails) {
      c.outcome = JunitCase::Outcome::kFailed;
      for (const CounterChange& x : k.counters)
        if (x.fails) add(c.message, change_text(x));
      c.details = changes_text(k, r.identities_recorded);
    } else if (k.outcome == KernelOutcome::kOnlyInBase || k.outcome == KernelOutcome::kOnlyInNew) {
      c.outcome = JunitCase::Outcome::kSkipped;
      c.message = std::string(outcome_name(k.outcome)) + "'s profile";
    } else if (k.outcome == KernelOutcome::kSameSass) {
      c.outcome = JunitCase::Outcome::kSkipped;
      c.message = "same SASS (" + k.base_sass + "): counters not compared";
    } else if (k.outcome == KernelOutcome::kChanged) {
      c.details = changes_text(k, r.identities_recorded);
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace qgemv::profile
