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
#include <functional>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "harness/external/driver_api.h"
#include "harness/verify/worker_protocol.h"
#include "harness/verify/worker_signals.h"

extern char** environ;

namespace qgemv {
namespace {

using Clock = std::chrono::steady_clock;

// Set in every worker's environment.
constexpr const char* kWorkerEnv = "QGEMV_VERIFY_WORKER";

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string seconds_text(double s) {
  std::ostringstream os;
  os.precision(s < 10 ? 2 : 3);
  os << s << " s";
  return os.str();
}

struct Step {
  int64_t unit;
  GpuStep step;
  Clock::time_point start;
};

// A child process of the supervisor (a worker or a health probe), its output pipe and how far
// its ending has gone.
struct Child {
  pid_t pid = -1;
  int fd = -1;
  std::string pending;  // bytes read but not yet a whole line
  bool eof = false;
  std::optional<Clock::time_point> eof_at, term_at, kill_at;
  std::optional<int> status;  // once reaped
};

// One worker process: one generation of one shard.
struct Worker {
  Child child;
  VerifyOptions opt;
  int device = 0;
  Clock::time_point started = Clock::now();
  double gpu_step_s = 0;        // between each step's B and E events
  VerifyReport last;            // its report at the last finished unit
  int64_t next_unit = 0;        // the unit after the last finished one
  std::optional<Step> running;  // the GPU step started and not yet followed by another event
  std::string error;            // an X event's message
  std::optional<Step> hung;     // the step that outlasted its limit, kept when the worker
                                // reports it done later
  // The step to blame when the worker ended badly.
  const std::optional<Step>& blamed() const { return hung ? hung : running; }
  bool stuck = false;  // did not exit kill_wait_s after SIGKILL: left behind
};

// A health probe before a replacement worker starts (or before the first ones).
struct Probe {
  Child child;
  int device = 0;
  Clock::time_point started = Clock::now();
  std::string after;                    // what it follows, for the message if it fails
  std::optional<VerifyOptions> resume;  // the worker to start once it passes
  std::string error;
  bool ok = false;
};

Child spawn_child(const IsolationOptions& iso, const std::vector<std::string>& args) {
  std::vector<std::string> words = {iso.executable};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("verify: pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  std::vector<std::string> env_words = {
      std::string(kWorkerEnv) + "=1",
      std::string(worker::kSupervisorPidEnv) + "=" + std::to_string(getpid()),
      std::string(worker::kGraceEnv) + "=" + std::to_string(int64_t(iso.grace_s + 1))};
  for (char** e = environ; *e != nullptr; ++e) env_words.emplace_back(*e);
  std::vector<char*> env;
  for (auto& e : env_words) env.push_back(e.data());
  env.push_back(nullptr);
  Child c;
  const int rc =
      posix_spawn(&c.pid, iso.executable.c_str(), &actions, nullptr, argv.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (rc != 0) {
    close(pipe_fds[0]);
    throw std::runtime_error("verify: cannot start a worker from " + iso.executable + ": " +
                             std::strerror(rc));
  }
  c.fd = pipe_fds[0];
  return c;
}

Worker spawn_worker(const VerifyOptions& opt, const IsolationOptions& iso, int device) {
  std::vector<std::string> args = {worker::kWorkerFlag};
  for (auto& w : worker::encode_options(opt, device, iso.externals, iso.paths_libraries))
    args.push_back(std::move(w));
  Worker w;
  w.opt = opt;
  w.device = device;
  w.next_unit = opt.first_unit;
  w.child = spawn_child(iso, args);
  return w;
}

// The run's modules (external kernels, paths libraries, a quantizer) are loaded, its units none.
Probe spawn_probe(const VerifyOptions& opt, const IsolationOptions& iso, int device,
                  std::string after) {
  VerifyOptions none;
  none.paths.clear();
  none.quantizer = opt.quantizer;
  std::vector<std::string> args = {worker::kHealthProbeFlag};
  for (auto& w : worker::encode_options(none, device, iso.externals, iso.paths_libraries))
    args.push_back(std::move(w));
  Probe p;
  p.device = device;
  p.after = std::move(after);
  p.child = spawn_child(iso, args);
  return p;
}

// Reads what the child has written; returns its whole lines.
std::vector<std::string> read_lines(Child& c) {
  std::vector<std::string> lines;
  if (c.eof) return lines;
  char buf[65536];
  const ssize_t got = read(c.fd, buf, sizeof buf);
  if (got <= 0) {
    if (got == 0 || errno != EINTR) {
      c.eof = true;
      c.eof_at = Clock::now();
      close(c.fd);
    }
    return lines;
  }
  c.pending.append(buf, size_t(got));
  size_t nl;
  while ((nl = c.pending.find('\n')) != std::string::npos) {
    lines.push_back(c.pending.substr(0, nl));
    c.pending.erase(0, nl + 1);
  }
  return lines;
}

void ask_to_stop(Child& c) {
  if (c.term_at || c.status) return;
  kill(c.pid, SIGTERM);
  c.term_at = Clock::now();
}

// Not exited kill_wait_s after SIGKILL: stuck in the driver, left behind.
bool given_up(const Child& c, const IsolationOptions& iso) {
  return !c.status && c.kill_at && since(*c.kill_at) > iso.kill_wait_s;
}

// Moves a child's ending on without ever blocking: reaps it if it has exited, kills it when its
// grace period is over (counted from the stop request, or from its closing its output), and
// returns false once it has not exited kill_wait_s after SIGKILL (stuck in the driver).
bool advance_ending(Child& c, const IsolationOptions& iso) {
  if (c.status) return true;
  int status = 0;
  pid_t r;
  while ((r = waitpid(c.pid, &status, WNOHANG)) < 0 && errno == EINTR) {
  }
  if (r == c.pid) {
    c.status = status;
    if (!c.eof) {
      close(c.fd);
      c.eof = true;
    }
    return true;
  }
  const std::optional<Clock::time_point> since_asked = c.term_at ? c.term_at : c.eof_at;
  if (!c.kill_at && since_asked && since(*since_asked) > iso.grace_s) {
    kill(c.pid, SIGKILL);
    c.kill_at = Clock::now();
  }
  return !given_up(c, iso);
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
      if (w.running) w.gpu_step_s += since(w.running->start);
      w.running.reset();
    } else if (f[0] == "X" && f.size() == 2) {
      w.error = f[1];
    }
  } catch (const std::exception&) {
  }
}

void handle_line(Probe& p, const std::string& line) {
  const std::vector<std::string> f = worker::split_fields(line);
  if (f.size() == 1 && f[0] == "OK") p.ok = true;
  if (f.size() == 2 && f[0] == "X") p.error = f[1];
}

// Ends every child still running when the supervisor leaves early (an exception): none may
// outlive it. Asks first, kills after the grace period, and gives up on one stuck in the driver
// rather than hang with it.
struct Reaper {
  std::vector<Child*> live;
  const IsolationOptions* iso = nullptr;
  ~Reaper() {
    for (Child* c : live) ask_to_stop(*c);
    for (bool pending = true; pending;) {
      pending = false;
      for (Child* c : live)
        if (!c->status && advance_ending(*c, *iso)) pending = true;
      if (pending) usleep(20000);
    }
  }
};

double step_limit(const IsolationOptions& iso, const Step& s) {
  return iso.timeout_s > 0 ? iso.timeout_s : s.step.timeout_s;
}

std::string exit_text(std::optional<int> status) {
  if (!status) return "did not exit after SIGKILL: stuck in the driver";
  if (WIFSIGNALED(*status))
    return std::string("killed by signal ") + std::to_string(WTERMSIG(*status)) + " (" +
           strsignal(WTERMSIG(*status)) + ")";
  return "exit status " + std::to_string(WEXITSTATUS(*status));
}

// Why a worker ended badly. A fault it reported wins over the deadline it outlasted: the fault
// names the cause, and the time says it came late.
std::string why_it_ended(const Worker& w, const IsolationOptions& iso) {
  const double elapsed = w.blamed() ? since(w.blamed()->start) : 0;
  if (!w.error.empty()) {
    std::string why = "fault: " + w.error;
    if (w.hung)
      why += " (after " + seconds_text(elapsed) + ", past its " +
             seconds_text(step_limit(iso, *w.hung)) + " limit)";
    return why + " (" + exit_text(w.child.status) + ")";
  }
  if (w.hung) {
    std::string why =
        "hung: no result within " + seconds_text(step_limit(iso, *w.hung)) + " (--timeout); ";
    if (w.stuck) return why + "the worker " + exit_text(w.child.status);
    if (w.child.kill_at)
      return why + "killed after a grace period, " + seconds_text(elapsed) + " in";
    return why + "stopped when asked, " + seconds_text(elapsed) + " in";
  }
  return "fault: the worker died (" + exit_text(w.child.status) + ")";
}

// Records why a worker ended badly: a fault or a hang of the GPU step it was running, as a
// failure of that step's path, or a death between steps. Returns the options that resume its
// shard without the path (or past the check that is no path); none after a death between steps
// or at its start, where a restart would die again.
std::optional<VerifyOptions> record_failure(const Worker& w, const IsolationOptions& iso,
                                            VerifyReport& total) {
  const std::string why = why_it_ended(w, iso);
  const std::string shard = "verification worker for shard " + std::to_string(w.opt.shard);
  const std::optional<Step>& step = w.blamed();
  if (!step || step->step.tally == worker::kStartTally) {
    const std::string where = step ? "while starting"
                              : w.next_unit == w.opt.first_unit
                                  ? "before its first unit"
                                  : "after unit " + std::to_string(w.next_unit - 1);
    total.failures.push_back({worker::kStartTally, shard + " stopped " + where + ": " + why});
    ++total.tallies[worker::kStartTally].failures;
    return std::nullopt;
  }
  const Step& s = *step;
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

// Whether the GPU may have been hurt: a step was running (a kernel faulted or hung there) or
// the worker could not be ended. A worker that stopped on bad input (a module that does not
// load) did nothing to the GPU.
bool needs_probe(const Worker& w) {
  if (w.stuck) return true;
  if (!w.blamed()) return false;
  return !(w.child.status && WIFEXITED(*w.child.status) &&
           WEXITSTATUS(*w.child.status) == worker::kProbeBadInputExit);
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

class Supervisor {
 public:
  Supervisor(const VerifyOptions& opt, const IsolationOptions& iso, std::ostream& progress)
      : opt_(opt), iso_(iso), progress_(progress) {
    devices_ = iso.devices.empty() ? std::vector<int>{iso.device} : iso.devices;
    xids_ = iso.xids ? iso.xids : std::shared_ptr<XidSource>(nvml_xid_source(devices_));
    total_.health.xid_watch = xids_->unavailable();
    reaper_.iso = &iso_;
  }

  VerifyReport run() {
    if (iso_.probe_first && !first_probes()) return std::move(total_);
    for (int j = 0; j < iso_.jobs; ++j) {
      VerifyOptions o = opt_;
      o.shard = j;
      o.shards = iso_.jobs;
      o.first_unit = 0;
      add(spawn_worker(o, iso_, devices_[size_t(j) % devices_.size()]));
    }
    const auto interval = iso_.terminal ? std::chrono::seconds(1) : std::chrono::seconds(5);
    auto last_progress = start_;
    while (!workers_.empty() || !probes_.empty()) {
      turn();
      if (Clock::now() - last_progress >= interval || (workers_.empty() && iso_.terminal)) {
        print_progress();
        last_progress = Clock::now();
      }
    }
    watch_xids();
    return std::move(total_);
  }

 private:
  void add(Worker w) {
    workers_.push_back(std::make_unique<Worker>(std::move(w)));
    reaper_.live.push_back(&workers_.back()->child);
  }
  void add(Probe p) {
    probes_.push_back(std::make_unique<Probe>(std::move(p)));
    reaper_.live.push_back(&probes_.back()->child);
  }
  void forget(const Child* c) { std::erase(reaper_.live, c); }

  // One probe per device, in parallel, before any worker: a GPU already unhealthy gives no
  // verdict, and a module that does not load is the user's error, reported once.
  bool first_probes() {
    for (int d : devices_) add(spawn_probe(opt_, iso_, d, "before the run"));
    while (!probes_.empty()) turn();
    if (!bad_module_.empty()) throw ExternalKernelError(bad_module_);
    return total_.health.unhealthy.empty();
  }

  // One turn of the loop: read what the children wrote, watch the Xids, enforce deadlines and
  // grace periods, and finish the children that have ended.
  void turn() {
    poll_children();
    watch_xids();
    if (iso_.stop_at_first_failure && !stopping_ && any_failure()) stop_all();
    for (auto& w : workers_) tend(*w);
    for (auto& p : probes_) tend(*p);
    finish_ended();
  }

  void poll_children() {
    std::vector<pollfd> fds;
    std::vector<std::function<void()>> readers;  // one per entry of fds
    auto watch = [&](auto& owner) {
      if (owner.child.eof) return;
      fds.push_back({owner.child.fd, POLLIN, 0});
      readers.push_back([&owner] {
        for (const std::string& line : read_lines(owner.child)) handle_line(owner, line);
      });
    };
    for (auto& w : workers_) watch(*w);
    for (auto& p : probes_) watch(*p);
    // Short enough that grace periods and deadlines are kept to a tenth of a second.
    const int ready = poll(fds.data(), fds.size(), 100);
    if (ready < 0 && errno != EINTR)
      throw std::runtime_error(std::string("verify: poll: ") + std::strerror(errno));
    for (size_t i = 0; ready > 0 && i < fds.size(); ++i)
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) readers[i]();
  }

  void watch_xids() {
    for (const XidEvent& e : xids_->poll(since(start_))) {
      total_.health.xids.push_back(e);
      note(describe_xid(e.xid) + " on device " + std::to_string(e.device) + " at " +
           seconds_text(e.at_s));
      if (!is_application_xid(e.xid))
        unhealthy(describe_xid(e.xid) + " on device " + std::to_string(e.device) +
                  running_steps(e.device));
    }
  }

  std::string running_steps(int device) const {
    std::string steps;
    for (const auto& w : workers_)
      if (w->device == device && w->running)
        steps += (steps.empty() ? "" : "; ") + w->running->step.what;
    return steps.empty() ? "" : " while running: " + steps;
  }

  bool any_failure() const {
    if (!total_.failures.empty()) return true;
    for (const auto& w : workers_)
      if (!w->last.failures.empty()) return true;
    return false;
  }

  // Probes are left to finish: they are short, bounded by probe_timeout_s, and a signal before
  // their handler is installed would end one as a failed probe.
  void stop_all() {
    stopping_ = true;
    for (auto& w : workers_) ask_to_stop(w->child);
  }

  void unhealthy(const std::string& what) {
    if (total_.health.unhealthy.empty()) {
      total_.health.unhealthy = what;
      note("GPU unhealthy: " + what + "; stopping the run");
    }
    if (!stopping_) stop_all();
  }

  void tend(Worker& w) {
    if (!w.child.eof && w.running && !w.hung && !w.child.term_at &&
        since(w.running->start) > step_limit(iso_, *w.running)) {
      w.hung = w.running;
      ask_to_stop(w.child);
    }
    if (!advance_ending(w.child, iso_)) w.stuck = true;
  }

  void tend(Probe& p) {
    if (!p.child.term_at && since(p.started) > iso_.probe_timeout_s) {
      p.error = "no answer within " + seconds_text(iso_.probe_timeout_s);
      ask_to_stop(p.child);
    }
    if (!advance_ending(p.child, iso_)) p.error += "; the probe is stuck in the driver";
  }

  bool ended(const Child& c) const { return c.status.has_value() || given_up(c, iso_); }

  void finish_ended() {
    finish_ended(workers_);
    finish_ended(probes_);
    for (auto& p : started_probes_) add(std::move(p));
    started_probes_.clear();
    for (auto& w : started_workers_) add(std::move(w));
    started_workers_.clear();
  }

  // Takes the children that have ended out of `list` before finishing any: finishing one may
  // stop all the others, which must all still be in their lists then.
  template <class T>
  void finish_ended(std::vector<std::unique_ptr<T>>& list) {
    const auto split = std::stable_partition(list.begin(), list.end(),
                                             [&](const auto& c) { return !ended(c->child); });
    std::vector<std::unique_ptr<T>> done(std::make_move_iterator(split),
                                         std::make_move_iterator(list.end()));
    list.erase(split, list.end());
    for (auto& c : done) {
      finish(*c);
      forget(&c->child);
    }
  }

  void finish(Worker& w) {
    const size_t failures_before = total_.failures.size();
    total_.add(w.last);
    reported_units_ += w.next_unit - w.opt.first_unit;
    total_.worker_s += since(w.started);
    total_.gpu_step_s += w.gpu_step_s;
    const bool clean = w.child.status && WIFEXITED(*w.child.status) &&
                       WEXITSTATUS(*w.child.status) == 0 && w.error.empty();
    // Ended by the supervisor at a failure it stops on, or on an unhealthy GPU: not a failure.
    const bool stopped = stopping_ && !w.hung && w.error.empty() && !w.stuck;
    std::optional<VerifyOptions> resume;
    if (!clean && !stopped) resume = record_failure(w, iso_, total_);
    // "device 1: " before each failure of a worker on device 1, when the run uses several.
    if (devices_.size() > 1)
      for (size_t f = failures_before; f < total_.failures.size(); ++f)
        total_.failures[f].text =
            "device " + std::to_string(w.device) + ": " + total_.failures[f].text;
    Tally& on_device = total_.devices[w.device];
    on_device.cases += w.next_unit - w.opt.first_unit;
    on_device.failures += int64_t(total_.failures.size() - failures_before);
    if (w.stuck) {
      unhealthy("a verification worker (pid " + std::to_string(w.child.pid) + ", device " +
                std::to_string(w.device) + ") did not exit " + seconds_text(iso_.kill_wait_s) +
                " after SIGKILL" + (w.blamed() ? " while running " + w.blamed()->step.what : ""));
      return;
    }
    // A run stopped at its first failure still probes after a fault: its caller (mutate) goes
    // on to the next run on the same GPU.
    if (clean || stopped || !total_.health.unhealthy.empty()) return;
    if (stopping_ || iso_.stop_at_first_failure) resume.reset();
    if (needs_probe(w)) {
      const std::string after = total_.failures.back().text;
      Probe p = spawn_probe(opt_, iso_, w.device, "after " + after.substr(0, after.find('\n')));
      p.resume = resume;
      if (resume) resume_note(*resume, ", once the GPU passes a health probe");
      started_probes_.push_back(std::move(p));
    } else if (resume) {
      resume_note(*resume, "");
      started_workers_.push_back(spawn_worker(*resume, iso_, w.device));
    }
  }

  void resume_note(const VerifyOptions& resume, const std::string& when) {
    note(total_.failures.back().text + "; resuming shard " + std::to_string(resume.shard) +
         " at unit " + std::to_string(resume.first_unit) + " without it" + when);
  }

  // A line of its own above the progress line (which a terminal rewrites in place).
  void note(const std::string& line) {
    progress_ << (iso_.terminal ? "\r\33[K  " : "  ") << line << "\n" << std::flush;
  }

  void finish(Probe& p) {
    ++total_.health.probes;
    const bool exited = p.child.status && WIFEXITED(*p.child.status);
    const int code = exited ? WEXITSTATUS(*p.child.status) : -1;
    if (exited && code == worker::kProbeBadInputExit) {
      bad_module_ = p.error.empty() ? "a kernel of the run cannot be loaded" : p.error;
      return;
    }
    if (!(exited && code == 0 && p.ok)) {
      unhealthy("device " + std::to_string(p.device) + " failed its health probe " + p.after +
                ": " + (p.error.empty() ? exit_text(p.child.status) : p.error));
      return;
    }
    if (const int action = xids_->recovery_action(p.device); action != 0) {
      unhealthy("device " + std::to_string(p.device) + " passed its health probe " + p.after +
                ", but the driver asks for recovery action " + std::to_string(action) +
                " (1 reset, 2 reboot, 3 drain peer-to-peer, 4 drain and reset)");
      return;
    }
    if (p.resume && !stopping_) started_workers_.push_back(spawn_worker(*p.resume, iso_, p.device));
  }

  void print_progress() {
    int64_t units = reported_units_;
    int64_t failures = int64_t(total_.failures.size());
    for (const auto& w : workers_) {
      units += w->next_unit - w->opt.first_unit;
      failures += int64_t(w->last.failures.size());
    }
    const std::string line = progress_line(units, total_units(opt_), failures, since(start_));
    // On a terminal the line is rewritten in place ("\33[K" clears what a longer one left).
    if (iso_.terminal)
      progress_ << "\r  " << line << "\33[K" << (workers_.empty() ? "\n" : "") << std::flush;
    else
      progress_ << "  " << line << "\n" << std::flush;
  }

  const VerifyOptions& opt_;
  const IsolationOptions& iso_;
  std::ostream& progress_;
  std::vector<int> devices_;
  std::shared_ptr<XidSource> xids_;
  VerifyReport total_;
  // Declared after the children's owners, so that it ends them while they still exist.
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::unique_ptr<Probe>> probes_;
  std::vector<Worker> started_workers_;  // started while finishing others, added after
  std::vector<Probe> started_probes_;
  Reaper reaper_;
  int64_t reported_units_ = 0;
  const Clock::time_point start_ = Clock::now();
  bool stopping_ = false;
  std::string bad_module_;
};

}  // namespace

VerifyReport run_isolated_verify(const VerifyOptions& opt, const IsolationOptions& iso,
                                 std::ostream& progress) {
  if (iso.jobs < 1) throw std::invalid_argument("verify: --jobs must be at least 1");
  // A worker that starts workers means its executable never called run_verify_worker_if_asked
  // (a test binary with GoogleTest's own main): each would start more, without end.
  if (std::getenv(kWorkerEnv) != nullptr)
    throw std::logic_error("verify: a verification worker was asked to start workers; " +
                           iso.executable + " must call run_verify_worker_if_asked first in main");
  Supervisor s(opt, iso, progress);
  return s.run();
}

}  // namespace qgemv
