#include "harness/verify/gpu_gemv.h"

#include "harness/executor/transfers.h"
#include "harness/executor/workspace.h"

namespace qgemv {

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
                            const Q4KMatrix& w, const std::vector<float>& x,
                            int outputs_per_block) {
  const cudaStream_t s = ex.stream();
  ex.set_poison_allocations(true);
  const DeviceBuffer<float> dx = upload(x, s);
  const bool q8 = path_takes_q8(p);
  if (form == Form::kAsync) {
    DeviceBuffer<float> y;
    if (q8) {
      const DeviceBuffer<BlockQ8_1> xq = ex.q8_quantize_async(dx, int64_t(x.size()));
      y = ex.gemv_async(p, name, xq, w.n, w.k);
      ex.synchronize();  // xq must outlive the launch
    } else {
      y = ex.gemv_async(p, name, dx, w.n, w.k, outputs_per_block);
    }
    ex.synchronize();
    return download(y, s);
  }
  Workspace ws(1, w.n, w.k);  // sized to the case, so every element must be written
  DeviceBuffer<float>& y = ws.output(0);
  DeviceBuffer<BlockQ8_1>& xq = ws.q8();
  poison(y, s);
  auto issue = [&] {
    if (q8) {
      ex.q8_quantize_into(dx, xq, int64_t(x.size()));
      ex.gemv_into(p, name, xq, y, w.n, w.k);
    } else {
      ex.gemv_into(p, name, dx, y, w.n, w.k, outputs_per_block);
    }
  };
  if (form == Form::kInto) {
    issue();
  } else {
    ex.record(issue).replay(s);
  }
  ex.synchronize();
  return download(y, s);
}

std::vector<float> gpu_gemv_once(Path p, const Q4KMatrix& w, const std::vector<float>& x,
                                 int outputs_per_block) {
  Executor ex;
  ex.weights().load("w", w, ex.stream());
  return gpu_gemv(ex, p, Form::kInto, "w", w, x, outputs_per_block);
}

}  // namespace qgemv
