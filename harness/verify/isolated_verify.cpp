#include "harness/verify/isolated_verify.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <set>
#include <stdexcept>

#include "harness/verify/worker_protocol.h"

extern char** environ;

namespace qgemv {
namespace {

using Clock = std::chrono::steady_clock;

// Set in every worker's environment.
constexpr const char* kWorkerEnv = "QGEMV_VERIFY_WORKER";

struct Step {
  int64_t unit;
  GpuStep step;
  Clock::time_point start;
};

// One worker process: one generation of one shard.
struct Worker {
  VerifyOptions opt;
  int device = 0;
  Clock::time_point started = Clock::now();
  double gpu_step_s = 0;  // between each step's B and E events
  pid_t pid = -1;
  int fd = -1;
  std::string pending;          // bytes read but not yet a whole line
  VerifyReport last;            // its report at the last finished unit
  int64_t next_unit = 0;        // the unit after the last finished one
  std::optional<Step> running;  // the GPU step started and not yet followed by another event
  std::string error;            // an X event's message
  bool killed_for_timeout = false;
};

Worker spawn(const VerifyOptions& opt, const IsolationOptions& iso, int device) {
  std::vector<std::string> words = {iso.executable, worker::kWorkerFlag};
  for (auto& w : worker::encode_options(opt, device, iso.externals)) words.push_back(std::move(w));
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("verify: pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  Worker w;
  w.opt = opt;
  w.device = device;
  w.next_unit = opt.first_unit;
  std::vector<std::string> env_words = {std::string(kWorkerEnv) + "=1"};
  for (char** e = environ; *e != nullptr; ++e) env_words.emplace_back(*e);
  std::vector<char*> env;
  for (auto& e : env_words) env.push_back(e.data());
  env.push_back(nullptr);
  const int rc =
      posix_spawn(&w.pid, iso.executable.c_str(), &actions, nullptr, argv.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (rc != 0) {
    close(pipe_fds[0]);
    throw std::runtime_error("verify: cannot start a worker from " + iso.executable + ": " +
                             std::strerror(rc));
  }
  w.fd = pipe_fds[0];
  return w;
}

void handle_line(Worker& w, const std::string& line) {
  const std::vector<std::string> f = worker::split_fields(line);
  if (f.empty()) return;
  // Anything that does not parse is not ours (a library printing to stdout): ignored.
  try {
    if (f[0] == "B" && f.size() == 6) {
      w.running = Step{std::stoll(f[1]), {f[2], f[3], f[5], std::stod(f[4])}, Clock::now()};
    } else if (f[0] == "S" && f.size() == 3) {
      VerifyReport r = worker::decode_report(f[2]);
      w.next_unit = std::stoll(f[1]) + 1;
      w.last = std::move(r);
      w.running.reset();
    } else if (f[0] == "E" && f.size() == 1) {
      if (w.running)
        w.gpu_step_s += std::chrono::duration<double>(Clock::now() - w.running->start).count();
      w.running.reset();
    } else if (f[0] == "X" && f.size() == 2) {
      w.error = f[1];
    }
  } catch (const std::exception&) {
  }
}

// Kills and reaps every worker still running when the supervisor leaves early (an exception):
// none may outlive it.
struct Reaper {
  std::set<pid_t> live;
  ~Reaper() {
    for (pid_t pid : live) {
      kill(pid, SIGKILL);
      int status = 0;
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
  }
};

double step_limit(const IsolationOptions& iso, const Step& s) {
  return iso.timeout_s > 0 ? iso.timeout_s : s.step.timeout_s;
}

std::string exit_text(int status) {
  if (WIFSIGNALED(status))
    return std::string("killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
           strsignal(WTERMSIG(status)) + ")";
  return "exit status " + std::to_string(WEXITSTATUS(status));
}

// Records why a worker ended badly: a fault or a hang of the GPU step it was running, as a
// failure of that step's path, or a death between steps. Returns the options that resume its
// shard without the path (or past the check that is no path); none after a death between steps,
// where a restart would die again.
std::optional<VerifyOptions> record_failure(const Worker& w, int status,
                                            const IsolationOptions& iso, VerifyReport& total) {
  const std::string why = w.killed_for_timeout
                              ? "hung: no result within " +
                                    std::to_string(step_limit(iso, *w.running)) +
                                    " s (--timeout); worker killed"
                              : "fault: " + (w.error.empty() ? "the worker died" : w.error) + " (" +
                                    exit_text(status) + ")";
  if (!w.running) {
    const std::string where = w.next_unit == w.opt.first_unit
                                  ? "before its first unit"
                                  : "after unit " + std::to_string(w.next_unit - 1);
    total.failures.push_back({"worker", "verification worker for shard " +
                                            std::to_string(w.opt.shard) + " stopped " + where +
                                            ": " + why});
    ++total.tallies["worker"].failures;
    return std::nullopt;
  }
  const Step& s = *w.running;
  total.failures.push_back({s.step.tally, s.step.what + ": " + why});
  ++total.tallies[s.step.tally].cases;
  ++total.tallies[s.step.tally].failures;
  VerifyOptions o = w.opt;
  const auto bad = std::find_if(o.paths.begin(), o.paths.end(),
                                [&](Path p) { return path_name(p) == s.step.path; });
  if (bad != o.paths.end()) {
    o.paths.erase(bad);
    o.first_unit = s.unit;
  } else {
    o.first_unit = s.unit + 1;
  }
  return o;
}

std::string duration(double s) {
  const int64_t whole = int64_t(s + 0.5);
  return whole >= 60 ? std::to_string(whole / 60) + " min " + std::to_string(whole % 60) + " s"
                     : std::to_string(whole) + " s";
}

// Units done, failures so far and the time left at the rate so far.
std::string progress_line(int64_t done, int64_t total, int64_t failures, double elapsed_s) {
  std::string line = std::to_string(done) + " of " + std::to_string(total) + " units, " +
                     std::to_string(failures) + " failures so far, " + duration(elapsed_s);
  if (done > 0 && done < total)
    line += ", about " + duration(elapsed_s * double(total - done) / double(done)) + " left";
  return line;
}

}  // namespace

VerifyReport run_isolated_verify(const VerifyOptions& opt, const IsolationOptions& iso,
                                 std::ostream& progress) {
  if (iso.jobs < 1) throw std::invalid_argument("verify: --jobs must be at least 1");
  // A worker that starts workers means its executable never called run_verify_worker_if_asked
  // (a test binary with GoogleTest's own main): each would start more, without end.
  if (std::getenv(kWorkerEnv) != nullptr)
    throw std::logic_error("verify: a verification worker was asked to start workers; " +
                           iso.executable + " must call run_verify_worker_if_asked first in main");
  VerifyReport total;
  std::vector<Worker> workers;
  Reaper reaper;
  const std::vector<int> devices = iso.devices.empty() ? std::vector<int>{iso.device} : iso.devices;
  const bool several = devices.size() > 1;
  for (int j = 0; j < iso.jobs; ++j) {
    VerifyOptions o = opt;
    o.shard = j;
    o.shards = iso.jobs;
    o.first_unit = 0;
    workers.push_back(spawn(o, iso, devices[size_t(j) % devices.size()]));
    reaper.live.insert(workers.back().pid);
  }
  int64_t reported_units = 0;
  const int64_t all_units = total_units(opt);
  const auto start = Clock::now();
  auto last_progress = start;
  const auto interval = iso.terminal ? std::chrono::seconds(1) : std::chrono::seconds(5);
  bool stopping = false;  // a failure was seen and stop_at_first_failure asked to stop there
  while (!workers.empty()) {
    if (iso.stop_at_first_failure && !stopping) {
      bool failed = !total.failures.empty();
      for (const Worker& w : workers) failed = failed || !w.last.failures.empty();
      if (failed) {
        stopping = true;
        for (Worker& w : workers) kill(w.pid, SIGKILL);
      }
    }
    std::vector<pollfd> fds;
    for (const Worker& w : workers) fds.push_back({w.fd, POLLIN, 0});
    const int ready = poll(fds.data(), fds.size(), 250);
    if (ready < 0 && errno != EINTR)
      throw std::runtime_error(std::string("verify: poll: ") + std::strerror(errno));
    std::vector<Worker> next;
    for (size_t i = 0; i < workers.size(); ++i) {
      Worker& w = workers[i];
      bool eof = false;
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
        char buf[65536];
        const ssize_t got = read(w.fd, buf, sizeof buf);
        if (got <= 0) {
          eof = got == 0 || errno != EINTR;
        } else {
          w.pending.append(buf, size_t(got));
          size_t nl;
          while ((nl = w.pending.find('\n')) != std::string::npos) {
            handle_line(w, w.pending.substr(0, nl));
            w.pending.erase(0, nl + 1);
          }
        }
      }
      if (!eof && w.running && !w.killed_for_timeout) {
        if (std::chrono::duration<double>(Clock::now() - w.running->start).count() >
            step_limit(iso, *w.running)) {
          kill(w.pid, SIGKILL);
          w.killed_for_timeout = true;
        }
      }
      if (!eof) {
        next.push_back(std::move(w));
        continue;
      }
      close(w.fd);
      int status = 0;
      while (waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
      }
      reaper.live.erase(w.pid);
      const size_t failures_before = total.failures.size();
      total.add(w.last);
      reported_units += w.next_unit - w.opt.first_unit;
      total.worker_s += std::chrono::duration<double>(Clock::now() - w.started).count();
      total.gpu_step_s += w.gpu_step_s;
      const bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0 && w.error.empty();
      // Killed by the supervisor at a failure it stops on: ended as asked, not a failure.
      const bool stopped = stopping && !w.killed_for_timeout && w.error.empty();
      std::optional<VerifyOptions> resume;
      if (!clean && !stopped) resume = record_failure(w, status, iso, total);
      // "device 1: " before each failure of a worker on device 1, when the run uses several.
      if (several)
        for (size_t f = failures_before; f < total.failures.size(); ++f)
          total.failures[f].text =
              "device " + std::to_string(w.device) + ": " + total.failures[f].text;
      Tally& on_device = total.devices[w.device];
      on_device.cases += w.next_unit - w.opt.first_unit;
      on_device.failures += int64_t(total.failures.size() - failures_before);
      if (!resume || stopping || iso.stop_at_first_failure) continue;
      progress << (iso.terminal ? "\r\33[K  " : "  ") << total.failures.back().text
               << "; resuming shard " << resume->shard << " at unit " << resume->first_unit
               << " without it\n"
               << std::flush;
      next.push_back(spawn(*resume, iso, w.device));
      reaper.live.insert(next.back().pid);
    }
    workers = std::move(next);
    if (Clock::now() - last_progress >= interval || (workers.empty() && iso.terminal)) {
      int64_t units = reported_units;
      int64_t failures = int64_t(total.failures.size());
      for (const Worker& w : workers) {
        units += w.next_unit - w.opt.first_unit;
        failures += int64_t(w.last.failures.size());
      }
      const std::string line = progress_line(
          units, all_units, failures, std::chrono::duration<double>(Clock::now() - start).count());
      // On a terminal the line is rewritten in place ("\33[K" clears what a longer one left).
      if (iso.terminal)
        progress << "\r  " << line << "\33[K" << (workers.empty() ? "\n" : "") << std::flush;
      else
        progress << "  " << line << "\n" << std::flush;
      last_progress = Clock::now();
    }
  }
  return total;
}

}  // namespace qgemv
