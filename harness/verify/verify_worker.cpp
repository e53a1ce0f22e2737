#include "harness/verify/verify_worker.h"

#include <cstdio>
#include <cstring>
#include <exception>
#include <sstream>
#include <string>
#include <vector>

#include "harness/verify/health_probe.h"
#include "harness/verify/worker_protocol.h"
#include "harness/verify/worker_signals.h"

namespace qgemv {
namespace {

// Events go out whole and at once: the supervisor must see a step's start before the step
// can hang or kill the process.
void emit(const std::vector<std::string>& fields) {
  std::string line;
  for (const auto& f : fields) {
    if (!line.empty()) line += '\t';
    line += worker::escape(f);
  }
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

// A context on the GPU, a trivial kernel, then the kernels built outside qgemv that the run
// names, loaded as a worker loads them: the supervisor learns whether the GPU is usable and
// whether those modules load without a CUDA context of its own.
int run_health_probe(const std::vector<std::string>& words) {
  worker::install_stop_handling();
  int device = 0;
  if (words.empty() || words[0].rfind("device=", 0) != 0) {
    emit({"X", "health probe: expects device=N first"});
    return worker::kProbeBadInputExit;
  }
  device = std::atoi(words[0].c_str() + 7);
  if (const std::string why = probe_gpu(device); !why.empty()) {
    emit({"X", why});
    return worker::kProbeUnhealthyExit;
  }
  try {
    int ignored = 0;
    worker::decode_options(words, &ignored);
  } catch (const std::exception& e) {
    emit({"X", e.what()});
    return worker::kProbeBadInputExit;
  }
  emit({"OK"});
  return 0;
}

int run_worker(const std::vector<std::string>& words) {
  worker::install_stop_handling();
  int device = 0;
  VerifyOptions opt;
  std::optional<Executor> ex;
  // Starting is a GPU step like any other (a context, and modules built outside qgemv), so that
  // a hang or a fault here is timed out and named too.
  emit({"B", "-1", "", worker::kStartTally, "60", "starting: a CUDA context and its modules"});
  try {
    opt = worker::decode_options(words, &device);
  } catch (const std::exception& e) {
    emit({"X", e.what()});
    return worker::kProbeBadInputExit;
  }
  try {
    ex.emplace(device);
    emit({"E"});
    VerifyReport start;
    int64_t unit = opt.first_unit;
    start.on_gpu_step_done = [] {
      emit({"E"});
      worker::exit_if_stop_requested();
    };
    start.on_gpu_step = [&](const GpuStep& s) {
      worker::exit_if_stop_requested();
      emit({"B", std::to_string(unit), s.path, s.tally, std::to_string(s.timeout_s), s.what});
    };
    std::ostringstream quiet;  // the supervisor prints progress
    run_verify(
        *ex, opt, quiet,
        [&](int64_t u, const VerifyReport& so_far) {
          emit({"S", std::to_string(u), worker::encode_report(so_far)});
          unit = u + 1;
          worker::exit_if_stop_requested();
        },
        std::move(start));
    return 0;
  } catch (const std::exception& e) {
    emit({"X", e.what()});
    return 5;
  }
}

}  // namespace

std::optional<int> run_verify_worker_if_asked(int argc, char** argv) {
  if (argc < 2) return std::nullopt;
  const std::vector<std::string> words(argv + 2, argv + argc);
  if (std::strcmp(argv[1], worker::kHealthProbeFlag) == 0) return run_health_probe(words);
  if (std::strcmp(argv[1], worker::kWorkerFlag) == 0) return run_worker(words);
  return std::nullopt;
}

}  // namespace qgemv
