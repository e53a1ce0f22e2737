#pragma once
// The worker side of isolated verification: a process that the supervisor (isolated_verify.h)
// starts from the same executable, which runs part of a verification and reports as it goes
// (worker_protocol.h). Any binary that can be a supervisor's executable (qgemv, a test binary
// with its own paths registered) calls this first thing in main.
#include <optional>

namespace qgemv {

// If argv asks for a verification worker, runs it and returns its exit code; otherwise nullopt.
std::optional<int> run_verify_worker_if_asked(int argc, char** argv);

}  // namespace qgemv
