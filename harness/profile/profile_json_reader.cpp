#include "harness/profile/profile_json_reader.h"

#include <stdexcept>

#include "harness/io/json_reader.h"

namespace qgemv::profile {
namespace {

using Type = JsonValue::Type;

// A counter: a number, or null where ncu gave none (profile_json writes null, never 0).
double counter(const JsonValue& k, const char* key) {
  const JsonValue* m = k.find(key);
  return m && m->type == Type::kNumber ? m->number : -1;
}

}  // namespace

ProfileReport profile_from_json(std::string_view text) {
  const JsonValue doc = parse_json(text);
  const JsonValue& version = doc.member("schema_version", Type::kNumber, "profile JSON");
  if (version.number != kProfileSchemaVersion)
    throw std::runtime_error("profile JSON: schema_version " + std::to_string(version.number) +
                             ", this qgemv reads " + std::to_string(kProfileSchemaVersion));
  ProfileReport r;
  r.subject = doc.member("subject", Type::kString, "profile JSON").string;
  r.path = doc.member("path", Type::kString, "profile JSON").string;
  r.suite = doc.member("suite", Type::kString, "profile JSON").string;
  r.ncu_version = doc.member("ncu_version", Type::kString, "profile JSON").string;
  const JsonValue& kernels = doc.member("kernels", Type::kArray, "profile JSON");
  for (size_t i = 0; i < kernels.array.size(); ++i) {
    const JsonValue& k = kernels.array[i];
    const std::string where = "profile JSON, kernel " + std::to_string(i + 1);
    KernelCounters c;
    c.launch.label = k.member("kernel", Type::kString, where).string;
    c.launch.n = int64_t(k.member("n", Type::kNumber, where).number);
    c.launch.k = int64_t(k.member("k", Type::kNumber, where).number);
    c.launch.per_token = int64_t(counter(k, "per_token"));
    c.launch.min_bytes = int64_t(counter(k, "min_bytes"));
    c.kernel = k.member("function", Type::kString, where).string;
    // null, or absent from JSON written before it was recorded: unknown.
    if (const JsonValue* sass = k.find("sass"); sass && sass->type == Type::kString)
      c.sass = sass->string;
    c.duration_us = counter(k, "duration_us");
    c.dram_pct = counter(k, "dram_pct");
    c.dram_read_bytes = counter(k, "dram_read_bytes");
    c.dram_write_bytes = counter(k, "dram_write_bytes");
    c.instructions = counter(k, "instructions");
    c.spill_instructions = counter(k, "spill_instructions");
    c.registers = int64_t(counter(k, "registers"));
    c.shared_bytes = int64_t(counter(k, "shared_bytes"));
    c.grid = int64_t(counter(k, "grid"));
    c.block = int64_t(counter(k, "block"));
    r.kernels.push_back(std::move(c));
  }
  if (r.kernels.empty()) throw std::runtime_error("profile JSON: no kernels");
  return r;
}

}  // namespace qgemv::profile
