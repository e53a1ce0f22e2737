#include "harness/mutate/mutation_record.h"

#include <algorithm>
#include <set>
#include <sstream>
#include <stdexcept>

#include "harness/bench/json_string.h"
#include "harness/io/json_reader.h"
#include "harness/mutate/mutation_report.h"

namespace qgemv {
namespace {

constexpr const char* kFormat = "qgemv-mutation-1";

using Type = JsonValue::Type;

std::string strings_json(const std::vector<std::string>& v) {
  std::string out = "[";
  for (const std::string& s : v) {
    if (out.size() > 1) out += ',';
    out += json_string(s);
  }
  return out + "]";
}

std::string number(double v) {
  std::ostringstream os;
  os.precision(10);
  os << v;
  return os.str();
}

// The options that make shards one run: everything but the shard (the seed as a string, since
// a JSON number holds only 53 bits).
std::string options_json(const MutationOptions& o) {
  std::ostringstream os;
  os << "{\"kernel\":" << json_string(o.kernel) << ",\"launch\":" << json_string(o.launch)
     << ",\"cases\":" << o.cases << ",\"seed\":" << json_string(std::to_string(o.seed))
     << ",\"compiler\":" << json_string(o.compiler) << ",\"includes\":" << strings_json(o.includes)
     << ",\"verify_jobs\":" << o.verify_jobs << ",\"max_k\":" << o.max_k
     << ",\"max_mutants\":" << o.max_mutants << ",\"shards\":" << o.shards
     << ",\"instances_used\":" << (o.instances.empty() ? "false" : "true")
     << ",\"quantizer\":" << (o.quantizer ? "true" : "false")
     << ",\"sanitizer\":{\"tools\":" << strings_json(o.sanitizer.tools)
     << ",\"cases\":" << o.sanitizer.cases << ",\"max_n\":" << o.sanitizer.max_n
     << ",\"off\":" << (o.sanitizer.off ? "true" : "false") << "}}";
  return os.str();
}

// A member of an object, of the expected type; `where` names the object in the error.
class Reader {
 public:
  Reader(const JsonValue& v, std::string where) : v_(v), where_(std::move(where)) {}
  const JsonValue& get(const char* key, Type t) const {
    return v_.member(key, t, "mutation.json, " + where_);
  }
  const std::string& str(const char* key) const { return get(key, Type::kString).string; }
  double num(const char* key) const { return get(key, Type::kNumber).number; }
  int64_t int64(const char* key) const { return int64_t(num(key)); }
  bool boolean(const char* key) const { return get(key, Type::kBool).boolean; }
  std::vector<std::string> strs(const char* key) const {
    std::vector<std::string> out;
    for (const JsonValue& s : get(key, Type::kArray).array) out.push_back(s.string);
    return out;
  }

 private:
  const JsonValue& v_;
  std::string where_;
};

// instances_used: whether the run named its instances (--instances used); they are then the
// record's.
MutationOptions parse_options(const JsonValue& v, bool& instances_used) {
  const Reader o(v, "options");
  MutationOptions opt;
  opt.kernel = o.str("kernel");
  opt.launch = o.str("launch");
  opt.cases = o.int64("cases");
  opt.seed = std::stoull(o.str("seed"));
  opt.compiler = o.str("compiler");
  opt.includes = o.strs("includes");
  opt.verify_jobs = int(o.int64("verify_jobs"));
  opt.max_k = o.int64("max_k");
  opt.max_mutants = o.int64("max_mutants");
  opt.shards = int(o.int64("shards"));
  instances_used = o.boolean("instances_used");
  // Absent from the records of runs before mutate --quantizer: those mutated GEMV kernels.
  const JsonValue* quantizer = v.find("quantizer");
  opt.quantizer = quantizer && quantizer->type == Type::kBool && quantizer->boolean;
  const Reader s(o.get("sanitizer", Type::kObject), "options.sanitizer");
  opt.sanitizer.tools = s.strs("tools");
  opt.sanitizer.cases = s.int64("cases");
  opt.sanitizer.max_n = s.int64("max_n");
  opt.sanitizer.off = s.boolean("off");
  return opt;
}

std::string instance_json(const KernelInstance& i, const std::string& symbol) {
  std::ostringstream os;
  os << "{\"name\":" << json_string(i.name) << ",\"entry\":" << json_string(i.entry)
     << ",\"symbol\":" << json_string(symbol) << ",\"launch\":" << json_string(i.launch)
     << ",\"min_k\":" << i.min_k << ",\"max_k\":" << i.max_k
     << ",\"window_exact\":" << (i.window_exact ? "true" : "false") << "}";
  return os.str();
}

std::string result_json(const MutantResult& m) {
  std::ostringstream os;
  os << "{\"mutant\":" << m.mutant.id << ",\"op\":" << json_string(m.mutant.op)
     << ",\"line\":" << m.mutant.line << ",\"before\":" << json_string(m.mutant.before)
     << ",\"after\":" << json_string(m.mutant.after) << ",\"instance\":" << m.instance
     << ",\"status\":" << json_string(status_word(m.status))
     << ",\"killed_by\":" << json_string(m.killed_by) << ",\"detail\":" << json_string(m.detail)
     << ",\"seconds\":" << number(m.seconds) << ",\"compile_seconds\":" << number(m.compile_seconds)
     << "}";
  return os.str();
}

MutantResult parse_result(const JsonValue& v, size_t at) {
  const Reader r(v, "result " + std::to_string(at + 1));
  MutantResult m;
  m.mutant.id = int(r.int64("mutant"));
  m.mutant.op = r.str("op");
  m.mutant.line = int(r.int64("line"));
  m.mutant.before = r.str("before");
  m.mutant.after = r.str("after");
  m.instance = size_t(r.int64("instance"));
  const auto status = status_from_word(r.str("status"));
  if (!status) throw std::runtime_error("mutation.json: unknown status " + r.str("status"));
  m.status = *status;
  m.killed_by = r.str("killed_by");
  m.detail = r.str("detail");
  m.seconds = r.num("seconds");
  m.compile_seconds = r.num("compile_seconds");
  return m;
}

std::string health_json(const DeviceHealth& h) {
  std::ostringstream os;
  os << "{\"unhealthy\":" << json_string(h.unhealthy)
     << ",\"xid_watch\":" << json_string(h.xid_watch) << ",\"probes\":" << h.probes
     << ",\"xids\":[";
  for (size_t i = 0; i < h.xids.size(); ++i)
    os << (i ? "," : "") << "{\"device\":" << h.xids[i].device << ",\"xid\":" << h.xids[i].xid
       << ",\"at_s\":" << number(h.xids[i].at_s) << "}";
  os << "]}";
  return os.str();
}

DeviceHealth parse_health(const JsonValue& v) {
  const Reader r(v, "health");
  DeviceHealth h;
  h.unhealthy = r.str("unhealthy");
  h.xid_watch = r.str("xid_watch");
  h.probes = int(r.int64("probes"));
  for (const JsonValue& x : r.get("xids", Type::kArray).array) {
    const Reader e(x, "health.xids");
    h.xids.push_back({int(e.int64("device")), (unsigned long long)e.num("xid"), e.num("at_s")});
  }
  return h;
}

}  // namespace

std::string mutation_record_json(const MutationOptions& opt, const MutationReport& r) {
  std::ostringstream os;
  os << "{\"format\":" << json_string(kFormat) << ",\n\"options\":" << options_json(opt)
     << ",\n\"shard\":" << opt.shard << ",\n\"instances\":[";
  for (size_t i = 0; i < r.instances.size(); ++i)
    os << (i ? ",\n" : "\n")
       << instance_json(r.instances[i], i < r.symbols.size() ? r.symbols[i] : "");
  os << "],\n\"total_mutants\":" << r.total_mutants
     << ",\n\"compile_seconds\":" << number(r.compile_seconds)
     << ",\n\"wall_seconds\":" << number(r.wall_seconds) << ",\n\"shard_seconds\":[";
  for (size_t i = 0; i < r.shard_seconds.size(); ++i)
    os << (i ? "," : "") << number(r.shard_seconds[i]);
  os << "],\n\"sass_off\":" << json_string(r.sass_off)
     << ",\n\"sanitizer\":" << json_string(r.sanitizer)
     << ",\n\"sanitizer_off\":" << json_string(r.sanitizer_off)
     << ",\n\"sanitizer_notes\":" << strings_json(r.sanitizer_notes)
     << ",\n\"health\":" << health_json(r.health)
     << ",\n\"complete\":" << (r.complete ? "true" : "false") << ",\n\"results\":[";
  for (size_t i = 0; i < r.results.size(); ++i)
    os << (i ? ",\n" : "\n") << result_json(r.results[i]);
  os << "]}\n";
  return os.str();
}

MutationRecord parse_mutation_record(const std::string& json) {
  const JsonValue doc = parse_json(json);
  const Reader d(doc, "the file");
  if (d.str("format") != kFormat)
    throw std::runtime_error("mutation.json: format " + d.str("format") + ", this qgemv reads " +
                             kFormat);
  MutationRecord rec;
  bool instances_used = false;
  rec.opt = parse_options(d.get("options", Type::kObject), instances_used);
  rec.opt.shard = int(d.int64("shard"));
  MutationReport& r = rec.report;
  for (const JsonValue& v : d.get("instances", Type::kArray).array) {
    const Reader i(v, "instance");
    KernelInstance inst{i.str("name"),    i.str("entry"),   i.str("launch"),
                        i.int64("min_k"), i.int64("max_k"), i.boolean("window_exact")};
    r.instances.push_back(std::move(inst));
    r.symbols.push_back(i.str("symbol"));
  }
  if (instances_used) rec.opt.instances = r.instances;
  r.total_mutants = d.int64("total_mutants");
  r.compile_seconds = d.num("compile_seconds");
  r.wall_seconds = d.num("wall_seconds");
  for (const JsonValue& s : d.get("shard_seconds", Type::kArray).array)
    r.shard_seconds.push_back(s.number);
  r.sass_off = d.str("sass_off");
  r.sanitizer = d.str("sanitizer");
  r.sanitizer_off = d.str("sanitizer_off");
  r.sanitizer_notes = d.strs("sanitizer_notes");
  r.health = parse_health(d.get("health", Type::kObject));
  r.complete = d.boolean("complete");
  const auto& results = d.get("results", Type::kArray).array;
  for (size_t i = 0; i < results.size(); ++i) r.results.push_back(parse_result(results[i], i));
  return rec;
}

MutationRecord merge_mutation_records(const std::vector<MutationRecord>& shards) {
  if (shards.empty()) throw std::runtime_error("mutate --merge: no shard");
  const MutationRecord& first = shards.front();
  const int n = first.opt.shards;
  std::set<int> seen;
  MutationRecord out = first;
  out.opt.shard = 0;
  MutationReport& r = out.report;
  r.results.clear();
  r.shard_seconds.clear();
  r.compile_seconds = r.wall_seconds = 0;
  r.health = {};
  r.sanitizer_notes.clear();
  for (const MutationRecord& s : shards) {
    const std::string which = "shard " + std::to_string(s.opt.shard);
    if (options_json(s.opt) != options_json(first.opt))
      throw std::runtime_error("mutate --merge: " + which + " ran with other options than shard " +
                               std::to_string(first.opt.shard));
    // Symbols may differ: an anonymous namespace's holds a hash of where the shard compiled.
    const auto same_instance = [](const KernelInstance& a, const KernelInstance& b) {
      return a.name == b.name && a.entry == b.entry && a.launch == b.launch && a.min_k == b.min_k &&
             a.max_k == b.max_k;
    };
    if (!std::equal(s.report.instances.begin(), s.report.instances.end(), r.instances.begin(),
                    r.instances.end(), same_instance) ||
        s.report.total_mutants != r.total_mutants)
      throw std::runtime_error("mutate --merge: " + which + " judged other instances or mutants");
    if (!s.report.complete)
      throw std::runtime_error("mutate --merge: " + which + " was cut short after " +
                               std::to_string(s.report.results.size()) +
                               " judgements; run it again");
    if (!seen.insert(s.opt.shard).second)
      throw std::runtime_error("mutate --merge: " + which + " given twice");
    const MutationReport& p = s.report;
    r.results.insert(r.results.end(), p.results.begin(), p.results.end());
    r.shard_seconds.insert(r.shard_seconds.end(), p.shard_seconds.begin(), p.shard_seconds.end());
    r.compile_seconds += p.compile_seconds;
    r.wall_seconds += p.wall_seconds;
    for (const std::string& note : p.sanitizer_notes)
      if (std::find(r.sanitizer_notes.begin(), r.sanitizer_notes.end(), note) ==
          r.sanitizer_notes.end())
        r.sanitizer_notes.push_back(note);
    if (r.sass_off.empty()) r.sass_off = p.sass_off;
    if (r.sanitizer_off.empty()) r.sanitizer_off = p.sanitizer_off;
    if (r.sanitizer.empty()) r.sanitizer = p.sanitizer;
    add_health(r.health, p.health);
  }
  std::string missing;
  for (int i = 0; i < n; ++i)
    if (!seen.contains(i)) {
      missing += ' ';
      missing += std::to_string(i);
    }
  if (!missing.empty())
    throw std::runtime_error("mutate --merge: shards of " + std::to_string(n) +
                             " missing:" + missing);
  std::stable_sort(r.results.begin(), r.results.end(),
                   [](const MutantResult& a, const MutantResult& b) {
                     return std::pair(a.mutant.id, a.instance) < std::pair(b.mutant.id, b.instance);
                   });
  return out;
}

}  // namespace qgemv
