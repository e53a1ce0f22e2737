#pragma once
// A child process with a deadline: run a command with its output in a file, and end it (its
// whole process group: a tool such as compute-sanitizer runs its target as a child of its own)
// if it outlives the deadline.
#include <string>
#include <vector>

namespace qgemv {

struct ProcessEnd {
  int exit_code = -1;      // the exit status; 128 + the signal for a signalled process
  bool timed_out = false;  // ended (SIGKILL to its group) at the deadline
  std::string error;       // why it could not be started; empty when it was
};

// argv[0] is looked up on the PATH when it holds no '/'. Standard output and error go to
// `output_file` (truncated). timeout_s <= 0 waits without a deadline. `own_group`: the child
// leads a process group of its own, which the deadline ends whole; without one (only without a
// deadline) it stays in this process's group, so that a terminal's Ctrl-C reaches it too.
ProcessEnd run_with_deadline(const std::vector<std::string>& argv, const std::string& output_file,
                             double timeout_s, bool own_group = true);

}  // namespace qgemv
