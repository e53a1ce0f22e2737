#pragma once
// mutation.json: a mutation run's options and every judgement, so that the shards of one run
// (mutate --shard I/N: processes side by side on one GPU, or separate calls to a GPU machine)
// merge into one report on any machine (mutate --merge), with the report and summary a single
// run would have written.
#include <string>
#include <vector>

#include "harness/mutate/mutation_run.h"

namespace qgemv {

struct MutationRecord {
  MutationOptions opt;
  MutationReport report;
};

std::string mutation_record_json(const MutationOptions& opt, const MutationReport& r);

// Throws std::runtime_error (JsonError for a file that is no JSON) naming what is missing.
MutationRecord parse_mutation_record(const std::string& json);

// One run's shards as the record of the whole run: every shard of 0..N-1 once, each with the
// same options and instances. Throws std::runtime_error naming what differs or is missing.
MutationRecord merge_mutation_records(const std::vector<MutationRecord>& shards);

}  // namespace qgemv
