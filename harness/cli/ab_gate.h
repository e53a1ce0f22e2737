#pragma once
// `qgemv bench --ab-base LIB --ab-processes N`: the A/B gate repeated at the level where the
// variance arises, the process (docs/ab-gate.md). The command starts itself N times, one after
// another (they share the GPU), each process with its own order seed, the sides of every block
// swapped in odd processes and its buffers relocated in all but the first; each writes its own
// A/B CSV, and the rows are combined (harness/results/ab_combine.h): a row fails the gate only
// when every process calls it slower.
#include <optional>
#include <string>
#include <vector>

namespace qgemv::cli {

// Set in the environment of each process the gate starts: its index, 0 to N-1.
inline constexpr const char* kAbProcessEnv = "QGEMV_AB_PROCESS";

// This process's index when the gate started it; nullopt otherwise. Throws std::runtime_error
// on a value that is not an index.
std::optional<int> ab_process_index();

struct AbGateRequest {
  int processes = 3;
  std::vector<std::string> bench_args;  // after "qgemv": "bench", "--ab-base", ...
  std::string out;                      // the combined A/B CSV
  std::optional<std::string> junit, markdown;
};

// Where process `index` writes its rows: ab.csv -> ab.process-1.csv (1-based), beside `out`.
std::string ab_process_file(const std::string& out, int index);

// Exit code: 0 when no combined row is slower and no case failed in any process, 1 otherwise;
// a process's own exit code other than 0 and 1 (2 usage, 3 no GPU, 4 bad library, ...) stops
// the gate and is returned, after that process said why.
int run_ab_gate(const AbGateRequest& r);

}  // namespace qgemv::cli
