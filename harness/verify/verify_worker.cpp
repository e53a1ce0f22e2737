#include "harness/verify/verify_worker.h"

#include <cstdio>
#include <cstring>
#include <exception>
#include <sstream>
#include <string>
#include <vector>

#include "harness/verify/worker_protocol.h"

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

}  // namespace

std::optional<int> run_verify_worker_if_asked(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], worker::kWorkerFlag) != 0) return std::nullopt;
  try {
    int device = 0;
    const VerifyOptions opt = worker::decode_options({argv + 2, argv + argc}, &device);
    Executor ex(device);
    VerifyReport start;
    int64_t unit = opt.first_unit;
    start.on_gpu_step_done = [] { emit({"E"}); };
    start.on_gpu_step = [&](const GpuStep& s) {
      emit({"B", std::to_string(unit), s.path, s.tally, std::to_string(s.timeout_s), s.what});
    };
    std::ostringstream quiet;  // the supervisor prints progress
    run_verify(
        ex, opt, quiet,
        [&](int64_t u, const VerifyReport& so_far) {
          emit({"S", std::to_string(u), worker::encode_report(so_far)});
          unit = u + 1;
        },
        std::move(start));
    return 0;
  } catch (const std::exception& e) {
    emit({"X", e.what()});
    return 5;
  }
}

}  // namespace qgemv
