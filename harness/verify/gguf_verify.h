#pragma once
// `qgemv verify --gguf`: a model's own Q4_K tensors, each loaded into the weight store under its
// GGUF name and run on every path and form against the reference on random inputs.
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "harness/gguf/gguf_file.h"
#include "harness/verify/verify_suite.h"

namespace qgemv {

struct GgufVerifyOptions {
  std::string tensor_regex = "";  // tensors whose name contains a match (std::regex, ECMAScript)
  int64_t inputs = 3;             // random inputs per tensor, of different distributions
  uint64_t seed = 1;
  std::vector<Path> paths = registered_paths();
};

struct GgufVerifyReport {
  VerifyReport report;
  std::vector<std::string> verified;  // "name (n x k)"
  std::vector<std::string> skipped;   // "name (type): why"
};

// Throws std::invalid_argument for a bad regex or when no tensor matches it.
GgufVerifyReport verify_gguf(Executor& ex, const gguf::GgufFile& file, const GgufVerifyOptions& opt,
                             std::ostream& progress);

}  // namespace qgemv
