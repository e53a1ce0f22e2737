#include "harness/verify/worker_protocol.h"

#include <cstdio>
#include <stdexcept>

#include "harness/external/external_kernel.h"
#include "harness/external/paths_library.h"

namespace qgemv::worker {
namespace {

std::string join_paths(const std::vector<Path>& paths) {
  std::string out;
  for (Path p : paths) {
    if (!out.empty()) out += ',';
    out += path_name(p);
  }
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

}  // namespace

std::vector<std::string> encode_options(const VerifyOptions& o, int device,
                                        const std::vector<ExternalSpec>& externals,
                                        const std::vector<std::string>& paths_libraries) {
  std::vector<std::string> words = {"device=" + std::to_string(device)};
  for (const ExternalSpec& e : externals) {
    words.push_back("external=" + e.kernel);
    words.push_back("external_launch=" + e.launch);
  }
  for (const std::string& file : paths_libraries) words.push_back("paths_lib=" + file);
  if (o.quantizer) words.push_back("quantizer=" + o.quantizer->spec());
  const std::vector<std::string> rest = {"cases=" + std::to_string(o.cases),
                                         "seed=" + std::to_string(o.seed),
                                         "max_n=" + std::to_string(o.max_n),
                                         "max_k=" + std::to_string(o.max_k),
                                         "min_k=" + std::to_string(o.min_k),
                                         "edge_k=" + std::to_string(int(o.edge_k)),
                                         "structured=" + std::to_string(int(o.structured)),
                                         "accuracy=" + std::to_string(int(o.accuracy)),
                                         "shard=" + std::to_string(o.shard),
                                         "shards=" + std::to_string(o.shards),
                                         "first_unit=" + std::to_string(o.first_unit),
                                         "paths=" + join_paths(o.paths)};
  words.insert(words.end(), rest.begin(), rest.end());
  return words;
}

VerifyOptions decode_options(const std::vector<std::string>& words, int* device) {
  VerifyOptions o;
  std::string external;
  for (const std::string& w : words) {
    const size_t eq = w.find('=');
    if (eq == std::string::npos) throw std::invalid_argument("worker option '" + w + "'");
    const std::string key = w.substr(0, eq), v = w.substr(eq + 1);
    if (key == "cases")
      o.cases = std::stoll(v);
    else if (key == "seed")
      o.seed = std::stoull(v);
    else if (key == "max_n")
      o.max_n = std::stoll(v);
    else if (key == "max_k")
      o.max_k = std::stoll(v);
    else if (key == "min_k")
      o.min_k = std::stoll(v);
    else if (key == "edge_k")
      o.edge_k = v == "1";
    else if (key == "structured")
      o.structured = v == "1";
    else if (key == "accuracy")
      o.accuracy = v == "1";
    else if (key == "shard")
      o.shard = std::stoi(v);
    else if (key == "shards")
      o.shards = std::stoi(v);
    else if (key == "first_unit")
      o.first_unit = std::stoll(v);
    else if (key == "device")
      *device = std::stoi(v);
    else if (key == "external")
      external = v;
    else if (key == "external_launch")
      load_external_kernel(external, v, *device);
    else if (key == "paths_lib")
      load_paths_library(v).prepare(*device);
    else if (key == "quantizer")
      o.quantizer = load_quantizer(v, *device);
    else if (key == "paths") {
      o.paths.clear();
      if (!v.empty())
        for (const std::string& name : split(v, ',')) {
          const auto p = find_path(name);
          if (!p) throw std::invalid_argument("worker: unknown path '" + name + "'");
          o.paths.push_back(*p);
        }
    } else {
      throw std::invalid_argument("worker option '" + w + "'");
    }
  }
  return o;
}

void emit(const std::vector<std::string>& fields) {
  std::string line;
  for (const auto& f : fields) {
    if (!line.empty()) line += '\t';
    line += escape(f);
  }
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\t')
      out += "\\t";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    const char c = s[++i];
    out += c == 't' ? '\t' : c == 'n' ? '\n' : c;
  }
  return out;
}

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> out = split(line, '\t');
  for (auto& f : out) f = unescape(f);
  return out;
}

// A report is itself a tab-separated list (tally count, name, cases, failures, ..., accuracy
// count, key, statistics, ..., failure count, tally, text, ...), escaped once more to travel as
// one field.
std::string encode_report(const VerifyReport& r) {
  std::vector<std::string> fields = {std::to_string(r.tallies.size())};
  for (const auto& [name, t] : r.tallies) {
    fields.push_back(escape(name));
    fields.push_back(std::to_string(t.cases));
    fields.push_back(std::to_string(t.failures));
  }
  fields.push_back(std::to_string(r.accuracy.size()));
  for (const auto& [key, a] : r.accuracy) {
    fields.push_back(escape(key));
    fields.push_back(a.encode());
  }
  fields.push_back(std::to_string(r.failures.size()));
  for (const Failure& f : r.failures) {
    fields.push_back(escape(f.tally));
    fields.push_back(escape(f.text));
  }
  std::string out;
  for (const auto& f : fields) {
    if (!out.empty()) out += '\t';
    out += f;
  }
  return out;
}

VerifyReport decode_report(const std::string& field) {
  const std::vector<std::string> f = split_fields(field);
  VerifyReport r;
  const size_t tallies = std::stoull(f.at(0));
  if (f.size() < 1 + 3 * tallies) throw std::invalid_argument("worker: short report");
  for (size_t i = 0; i < tallies; ++i)
    r.tallies[f[1 + 3 * i]] = {std::stoll(f[2 + 3 * i]), std::stoll(f[3 + 3 * i])};
  size_t i = 1 + 3 * tallies;
  const size_t accuracy = std::stoull(f.at(i++));
  if (f.size() < i + 2 * accuracy) throw std::invalid_argument("worker: short report");
  for (size_t a = 0; a < accuracy; ++a, i += 2) r.accuracy[f[i]] = AccuracyStats::decode(f[i + 1]);
  const size_t failures = std::stoull(f.at(i++));
  if (f.size() != i + 2 * failures) throw std::invalid_argument("worker: report of wrong length");
  for (; i < f.size(); i += 2) r.failures.push_back({f[i], f[i + 1]});
  return r;
}

}  // namespace qgemv::worker
