#include "harness/verify/gpu_gemv.h"

#include "harness/executor/transfers.h"
#include "harness/executor/workspace.h"
#include "kernels/verify/late_producer.h"

namespace qgemv {
namespace {

// Long enough that a GEMV which does not wait for the producer starts reading well before the
// copy (a launch starts within a few microseconds), short enough to cost little per case.
constexpr uint64_t kProducerDelayNs = 50'000;

// x is filled with NaN bytes, then the late producer copies the real input over it.
void produce_input_late(const DeviceBuffer<float>& staged, DeviceBuffer<float>& x, cudaStream_t s) {
  QGEMV_CUDA(cudaMemsetAsync(x.get(), 0xFF, x.bytes(), s));
  QGEMV_CUDA_CTX(launch_late_copy(staged.get(), x.get(), x.bytes(), kProducerDelayNs, s),
                 "kernel late_copy_kernel");
}

// Joins what each guarded buffer's guards say; throws if any was written.
void check_guards(Executor& ex, const Quantizer& q, std::initializer_list<std::string> found) {
  std::string all;
  for (const std::string& damage : found)
    if (!damage.empty()) all += (all.empty() ? "" : "; ") + damage;
  for (const std::string& status : {ex.damaged_status_guards(), q.damaged_guards(ex.stream())})
    if (!status.empty()) all += (all.empty() ? "" : "; ") + status;
  if (!all.empty()) throw GuardViolation(all);
}

}  // namespace

const char* form_name(Form f) {
  switch (f) {
    case Form::kAsync:
      return "async";
    case Form::kInto:
      return "into";
    case Form::kGraph:
      return "graph";
  }
  return "?";
}

std::vector<float> gpu_gemv(Executor& ex, Path p, Form form, const std::string& name,
                            const Q4KMatrix& w, const std::vector<float>& x, int outputs_per_block,
                            const GemvRunOptions& run) {
  const cudaStream_t s = ex.stream();
  ex.set_poison_allocations(true);
  ex.set_guard_allocations(true);
  const WithGuards guarded{s, run.guard_fill};
  const DeviceBuffer<float> staged = upload(x, s);
  DeviceBuffer<float> dx(x.size(), guarded);
  const bool q8 = path_takes_q8(p);
  const Quantizer& quantizer = run.quantizer ? *run.quantizer : builtin_quantizer();
  if (form == Form::kAsync) {
    produce_input_late(staged, dx, s);
    DeviceBuffer<float> y;
    DeviceBuffer<BlockQ8_1> xq;
    if (q8) {
      xq = quantizer.quantize_async(ex, dx, int64_t(x.size()), p->q8_sum);
      y = ex.gemv_async(p, name, xq, w.n, w.k);
    } else {
      y = ex.gemv_async(p, name, dx, w.n, w.k, outputs_per_block);
    }
    quantizer.synchronize(ex);
    check_guards(ex, quantizer,
                 {dx.damaged_guards("x", s), xq.damaged_guards("the Q8_1 input", s),
                  y.damaged_guards("y", s)});
    return download(y, s);
  }
  // Sized to the case, so every element must be written and nothing past it.
  Workspace ws(1, w.n, w.k, guarded);
  DeviceBuffer<float>& y = ws.output(0);
  DeviceBuffer<BlockQ8_1>& xq = ws.q8();
  poison(y, s);
  auto issue = [&] {
    if (q8) QGEMV_CUDA(cudaMemsetAsync(xq.get(), 0xFF, xq.bytes(), s));
    produce_input_late(staged, dx, s);
    if (!run.overlap) QGEMV_CUDA(cudaStreamSynchronize(s));
    if (q8) {
      quantizer.quantize_into(ex, dx, xq, int64_t(x.size()), p->q8_sum);
      if (!run.overlap) QGEMV_CUDA(cudaStreamSynchronize(s));
      ex.gemv_into(p, name, xq, y, w.n, w.k);
    } else {
      ex.gemv_into(p, name, dx, y, w.n, w.k, outputs_per_block);
    }
  };
  if (form == Form::kInto) {
    issue();
  } else if (!run.overlap) {
    throw std::invalid_argument("gpu_gemv: only the into form runs without overlap");
  } else {
    ex.record(issue).replay(s);
  }
  quantizer.synchronize(ex);
  check_guards(
      ex, quantizer,
      {dx.damaged_guards("x", s), q8 ? xq.damaged_guards("the Q8_1 workspace", s) : std::string(),
       y.damaged_guards("the output workspace slice", s)});
  return download(y, s);
}

std::vector<float> gpu_gemv_once(Path p, const Q4KMatrix& w, const std::vector<float>& x,
                                 int outputs_per_block) {
  Executor ex;
  ex.weights().load("w", w, ex.stream());
  return gpu_gemv(ex, p, Form::kInto, "w", w, x, outputs_per_block);
}

}  // namespace qgemv
