#include "harness/verify/verify_suite.h"

#include <cmath>
#include <cstring>
#include <exception>
#include <sstream>

#include "harness/verify/gpu_case.h"
#include "harness/verify/q8_convention.h"
#include "harness/verify/verify_shapes.h"
#include "kernels/formats/fp16_bits.h"
#include "reference/error_model.h"
#include "reference/gemv.h"
#include "reference/q8_1.h"

namespace qgemv {
namespace {

using testing::GemvCase;
using testing::GemvData;

// The value counts q8_quantize is checked at per distribution (one block, a partial block, model
// widths up to a vocabulary); the one-hot sweeps' shapes are in verify_shapes.h.
constexpr int64_t kQ8QuantizeSizes[] = {32, 33, 4096, 18944, 151936};

bool bitwise_equal(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

std::string label(Path p, const std::string& what, int opb) {
  std::ostringstream os;
  os << path_name(p) << " " << what;
  if (p->takes_outputs_per_block) os << " outputs_per_block=" << opb;
  return os.str();
}

// A GPU step while it lives: announced to the supervisor at the start, and reported done at
// the end unless an exception leaves it (a fault must stay blamed on the step).
class [[nodiscard]] StepScope {
 public:
  StepScope(VerifyReport* r, GpuStep s) : r_(r), exceptions_(std::uncaught_exceptions()) {
    if (r_ && r_->on_gpu_step) r_->on_gpu_step(s);
  }
  ~StepScope() {
    if (r_ && r_->on_gpu_step_done && std::uncaught_exceptions() == exceptions_)
      r_->on_gpu_step_done();
  }
  StepScope(const StepScope&) = delete;
  StepScope& operator=(const StepScope&) = delete;

 private:
  VerifyReport* r_;
  int exceptions_;
};

// Re-runs on the weights' first rows (same input) down to the first failing row.
std::string shrink(Executor& ex, Path p, const Q4KMatrix& w, const std::vector<float>& x, int opb,
                   int64_t first_bad_row, VerifyReport* report, const Quantizer& q) {
  const int64_t rows = first_bad_row + 1;
  Q4KMatrix head{
      rows, w.k,
      std::vector<BlockQ4K>(w.blocks.begin(), w.blocks.begin() + rows * w.blocks_per_row())};
  const ReferenceGemv ref = reference_for_path(p, head, x);
  std::vector<float> y;
  try {
    const StepScope scope(report,
                          {std::string(path_name(p)), std::string(path_name(p)) + "/into",
                           label(p, "shrunk to n=" + std::to_string(rows), opb) + " form=into",
                           default_step_timeout_s(rows, w.k)});
    ex.weights().load("verify-shrunk", head, ex.stream());
    y = gpu_gemv(ex, p, Form::kInto, "verify-shrunk", head, x, opb, {.quantizer = &q});
  } catch (const GuardViolation& e) {
    return std::string("shrunk to the first ") + std::to_string(rows) + " rows: " + e.what();
  }
  const CheckReport r = check_gemv(y, ref, p, w.k);
  return r.ok() ? "(does not fail with fewer rows)"
                : "shrunk to the first " + std::to_string(rows) +
                      " rows (n=" + std::to_string(rows) + "): " + r.summary();
}

// Why a GEMV that failed its bound failed, from reruns on the into form that change one thing
// each; empty when none tells. Order matters: a kernel whose runs differ makes every other
// comparison meaningless.
std::string diagnose(Executor& ex, Path p, const std::string& weight, const Q4KMatrix& w,
                     const std::vector<float>& x, int opb, const ReferenceGemv& ref,
                     VerifyReport* report, const std::string& what, const Quantizer& q) {
  try {
    // Five more runs of the kernel (and a sixth): a GPU step, so that a hang or fault here is timed
    // and named.
    const StepScope scope(report, {std::string(path_name(p)), std::string(path_name(p)) + "/into",
                                   "diagnosing " + what, 5 * default_step_timeout_s(w.n, w.k)});
    // First: does it pass, twice and identically, when each launch starts after the previous
    // kernel has finished? A kernel that reads its input early reads whatever the late producer
    // has written so far, which also makes its runs differ and changes its output between any
    // two reruns: checked later, it was misnamed as a race or as reading outside its buffers
    // (seen on the H100).
    const std::vector<float> s1 =
        gpu_gemv(ex, p, Form::kInto, weight, w, x, opb, {.overlap = false, .quantizer = &q});
    const std::vector<float> s2 =
        gpu_gemv(ex, p, Form::kInto, weight, w, x, opb, {.overlap = false, .quantizer = &q});
    if (bitwise_equal(s1, s2) && check_gemv(s1, ref, p, w.k).ok())
      return "passes only when each launch starts after the previous kernel has finished: it reads "
             "its input before waiting for the previous kernel (dependent launch)";
    const std::vector<float> a = gpu_gemv(ex, p, Form::kInto, weight, w, x, opb, {.quantizer = &q});
    const std::vector<float> b = gpu_gemv(ex, p, Form::kInto, weight, w, x, opb, {.quantizer = &q});
    if (!bitwise_equal(a, b))
      return "two runs on the same input differ: a race, or uninitialised state";
    if (!bitwise_equal(a, gpu_gemv(ex, p, Form::kInto, weight, w, x, opb,
                                   {.guard_fill = 0x00, .quantizer = &q})))
      return "the output changes with the bytes just outside its buffers: it reads outside x, the "
             "Q8_1 input or its weights";
  } catch (const GuardViolation& e) {
    return std::string("writes outside its buffers on a rerun: ") + e.what();
  }
  return "";
}

}  // namespace

int64_t VerifyReport::total_failures() const { return int64_t(failures.size()); }

void VerifyReport::add(const VerifyReport& other) {
  for (const auto& [name, t] : other.tallies) {
    tallies[name].cases += t.cases;
    tallies[name].failures += t.failures;
  }
  failures.insert(failures.end(), other.failures.begin(), other.failures.end());
  for (const auto& [key, a] : other.accuracy) accuracy[key].merge(a);
  worker_s += other.worker_s;
  gpu_step_s += other.gpu_step_s;
  for (const auto& [device, t] : other.devices) {
    devices[device].cases += t.cases;
    devices[device].failures += t.failures;
  }
}

// A one-hot sweep per path and k of kOneHotKs, a q8_quantize check per distribution and size of
// kQ8QuantizeSizes, overflow detection and bad-input rejection; run_verify checks that it builds
// this many (the last two are counted here by hand).
int64_t total_units(const VerifyOptions& opt) {
  constexpr int64_t kQ8Checks =
      int64_t(std::size(testing::kAllValues) * std::size(kQ8QuantizeSizes));
  return opt.cases +
         (opt.structured ? int64_t(std::size(kOneHotKs)) * int64_t(opt.paths.size()) + kQ8Checks + 2
                         : 0);
}

double default_step_timeout_s(int64_t n, int64_t k) {
  const double weight_bytes = double(n) * double(k / kQK) * sizeof(BlockQ4K);
  return 10.0 + weight_bytes / double(64 << 20);
}

uint64_t case_seed(uint64_t run_seed, int64_t i) {
  uint64_t z = run_seed + 0x9E3779B97F4A7C15ull * uint64_t(i + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::vector<std::string> verify_case(Executor& ex, std::span<const Path> paths, const GemvCase& c,
                                     int opb, VerifyReport* report, bool accuracy,
                                     const Quantizer& quantizer) {
  GemvData d;
  {
    // A GPU step like the paths' own, so that a fault or hang while generating is named.
    const StepScope scope(report, {"case generation", "case generation",
                                   "generating " + c.describe(), default_step_timeout_s(c.n, c.k)});
    d = testing::materialize_on_gpu(c, ex.stream());
    ex.weights().load("verify", d.w, ex.stream());
  }
  return verify_gemv(ex, paths, "verify", d.w, d.x, c.describe(), opb, report,
                     accuracy ? testing::name(c.input) : nullptr, quantizer);
}

std::vector<std::string> verify_gemv(Executor& ex, std::span<const Path> paths,
                                     const std::string& weight, const Q4KMatrix& w,
                                     const std::vector<float>& x, const std::string& what, int opb,
                                     VerifyReport* report, const char* input,
                                     const Quantizer& quantizer) {
  std::vector<std::string> fails;
  // Paths that share arithmetic and Q8_1 convention share a reference: f32 paths, Q8_1-input
  // paths of each convention for s, and dp4a.
  using RefKind = std::pair<Arithmetic, Q8Sum>;
  auto kind_of = [](Path p) { return RefKind{p->arithmetic, p->q8_sum}; };
  std::map<RefKind, std::optional<ReferenceGemv>> refs;
  std::map<RefKind, std::string> overflow;
  // The exact product of the unquantized input, which f32 paths are checked against.
  auto exact = [&]() -> const ReferenceGemv& {
    const RefKind f32{Arithmetic::kF32, Q8Sum::kSumOfX};
    if (!refs.count(f32)) refs[f32] = reference_gemv_f32(w, x);
    return *refs[f32];
  };
  for (Path p : paths) {
    const RefKind kind = kind_of(p);
    if (!refs.count(kind)) {
      try {
        refs[kind] = reference_for_path(p, w, x);
      } catch (const std::domain_error& e) {
        refs[kind] = std::nullopt;
        overflow[kind] = e.what();
      }
    }
    const std::optional<ReferenceGemv>& ref = refs[kind];
    std::vector<float> into, async;  // async runs first: compared once into has run
    for (Form f : kAllForms) {
      const std::string tally = std::string(path_name(p)) + "/" + form_name(f);
      if (report) ++report->tallies[tally].cases;
      auto fail = [&](const std::string& why) {
        fails.push_back(label(p, what, opb) + " form=" + form_name(f) + ": " + why);
        if (!report) return;
        ++report->tallies[tally].failures;
        report->failures.push_back({tally, fails.back()});
      };
      std::vector<float> y;
      try {
        const StepScope scope(report, {std::string(path_name(p)), tally,
                                       label(p, what, opb) + " form=" + form_name(f),
                                       default_step_timeout_s(w.n, w.k)});
        y = gpu_gemv(ex, p, f, weight, w, x, opb, {.quantizer = &quantizer});
      } catch (const Q8OverflowError& e) {
        if (ref) fail(std::string("unexpected Q8_1 overflow error: ") + e.what());
        continue;
      } catch (const GuardViolation& e) {
        fail(std::string("writes outside its buffers: ") + e.what());
        continue;
      }
      if (!ref) {
        fail("input overflows Q8_1 (" + overflow[kind] + ") but no error was reported");
        continue;
      }
      // Outputs that differ between runs or forms have a cause too: the same reruns name it.
      auto diagnosis = [&] {
        const std::string why = diagnose(ex, p, weight, w, x, opb, *ref, report,
                                         label(p, what, opb) + " form=" + form_name(f), quantizer);
        return why.empty() ? std::string() : "\n  diagnosis: " + why;
      };
      const CheckReport r = check_gemv(y, *ref, p, w.k);
      if (!r.ok()) {
        fail(r.summary() + diagnosis() + "\n  " +
             shrink(ex, p, w, x, opb, r.first.front().row, report, quantizer));
        continue;
      }
      if (f == Form::kInto) {
        if (report && input) {
          const std::vector<double> yd(y.begin(), y.end());
          report->accuracy[accuracy_key(std::string(path_name(p)), input)].add_case(
              yd, exact().y, exact().abs_terms);
        }
        into = y;
        std::vector<float> again;
        try {
          const StepScope scope(report, {std::string(path_name(p)), tally,
                                         label(p, what, opb) + " form=" + form_name(f) + ", rerun",
                                         default_step_timeout_s(w.n, w.k)});
          again = gpu_gemv(ex, p, f, weight, w, x, opb, {.quantizer = &quantizer});
        } catch (const GuardViolation& e) {
          fail(std::string("writes outside its buffers on a second run: ") + e.what());
          continue;
        }
        if (!bitwise_equal(into, again)) fail("two runs on the same input differ" + diagnosis());
        if (!async.empty() && !bitwise_equal(into, async))
          fail("the async form differs bit for bit from the into form" + diagnosis());
      } else if (f == Form::kAsync) {
        async = y;
      } else if (!into.empty() && !bitwise_equal(into, y)) {
        fail("differs bit for bit from the into form" + diagnosis());
      }
    }
  }
  // The conventions' rows are measured against the same exact product as the paths' rows, and
  // reuse the paths' references where they were made: either s = sum x reference is that row's
  // product (the in-kernel one differs only in its slack).
  if (report && input) {
    auto made = [&](RefKind k) -> const ReferenceGemv* {
      const auto r = refs.find(k);
      return r != refs.end() && r->second ? &*r->second : nullptr;
    };
    const ReferenceGemv* sum_of_x = made({Arithmetic::kQ8_1, Q8Sum::kSumOfX});
    if (!sum_of_x) sum_of_x = made({Arithmetic::kQ8_1InKernel, Q8Sum::kSumOfX});
    add_q8_convention_accuracy(w, x, input, exact(), report->accuracy, sum_of_x,
                               made({Arithmetic::kQ8_1, Q8Sum::kScaledSumOfQ}));
  }
  return fails;
}

std::vector<std::string> verify_one_hot_sweep(Executor& ex, Path p, uint64_t seed, int64_t n,
                                              int64_t k, const Quantizer& quantizer) {
  std::vector<std::string> fails;
  GemvCase c{seed, n, k, testing::Weights::kFromNormal, testing::Values::kNormal};
  GemvData d = testing::materialize(c);
  ex.weights().load("onehot", d.w, ex.stream());
  for (int64_t e = 0; e < k; ++e) {
    std::vector<float> x(size_t(k), 0.0f);
    x[size_t(e)] = d.x[size_t(e)] == 0.0f ? 1.0f : d.x[size_t(e)];
    const ReferenceGemv ref = reference_for_path(p, d.w, x);
    const CheckReport r = check_gemv(
        gpu_gemv(ex, p, Form::kInto, "onehot", d.w, x, 4, {.quantizer = &quantizer}), ref, p, k);
    if (!r.ok()) {
      // The reruns run inside the sweep's own step (report: none).
      const std::string why = diagnose(ex, p, "onehot", d.w, x, 4, ref, nullptr, "", quantizer);
      fails.push_back(std::string(path_name(p)) + " one-hot at position " + std::to_string(e) +
                      " (" + c.describe() + "): " + r.summary() +
                      (why.empty() ? "" : "\n  diagnosis: " + why));
      if (fails.size() >= 4) break;
    }
  }
  return fails;
}

std::string q8_block_difference(const BlockQ8_1& gpu, const BlockQ8_1& cpu) {
  std::ostringstream os;
  const auto part = [&] { return os.tellp() > 0 ? "; " : ""; };
  for (int i = 0; i < kQ8Values; ++i)
    if (gpu.qs[i] != cpu.qs[i]) {
      os << "q[" << i << "] is " << int(gpu.qs[i]) << ", not " << int(cpu.qs[i]);
      break;
    }
  const auto half = [&](const char* name, uint16_t g, uint16_t c) {
    if (g == c) return;
    os << part() << name << " is " << fp16_to_f32(g) << " (0x" << std::hex << g << "), not "
       << fp16_to_f32(c) << " (0x" << c << ")" << std::dec;
  };
  half("d", gpu.d, cpu.d);
  half("s", gpu.s, cpu.s);
  return os.str();
}

// Generated case i of an --edge-k run: the window's largest k first, then its smallest.
int64_t edge_k(const VerifyOptions& opt, int64_t i) {
  return i == 0 ? std::max<int64_t>(kQK, opt.max_k / kQK * kQK)
                : std::clamp<int64_t>((opt.min_k + kQK - 1) / kQK * kQK, kQK, opt.max_k);
}

std::vector<std::string> verify_q8_quantize(Executor& ex, uint64_t seed, int64_t values,
                                            testing::Values kind, Q8Sum sum,
                                            const Quantizer& quantizer) {
  testing::Rng rng(seed);
  const std::vector<float> x = testing::random_values(rng, size_t(values), kind);
  const Q8Quantized cpu = q8_1_quantize(x, sum);
  // Everything on the executor's stream: it does not synchronise with the legacy default stream.
  DeviceBuffer<float> dx(x.size());
  QGEMV_CUDA(cudaMemcpyAsync(dx.get(), x.data(), dx.bytes(), cudaMemcpyHostToDevice, ex.stream()));
  DeviceBuffer<BlockQ8_1> dq(cpu.blocks.size());
  QGEMV_CUDA(cudaMemsetAsync(dq.get(), 0xA5, dq.bytes(), ex.stream()));  // poison
  quantizer.quantize_into(ex, dx, dq, values, sum);
  std::vector<std::string> fails;
  try {
    quantizer.synchronize(ex);
    if (cpu.first_overflow >= 0) fails.push_back("q8_quantize: overflow not reported");
  } catch (const Q8OverflowError&) {
    if (cpu.first_overflow < 0) fails.push_back("q8_quantize: spurious overflow error");
    return fails;
  }
  std::vector<BlockQ8_1> gpu(cpu.blocks.size());
  QGEMV_CUDA(
      cudaMemcpyAsync(gpu.data(), dq.get(), dq.bytes(), cudaMemcpyDeviceToHost, ex.stream()));
  QGEMV_CUDA(cudaStreamSynchronize(ex.stream()));
  for (size_t b = 0; b < gpu.size() && fails.size() < 4; ++b) {
    // s is exact too: both sum in the same butterfly order.
    const std::string what = q8_block_difference(gpu[b], cpu.blocks[b]);
    if (!what.empty())
      fails.push_back("q8_quantize block " + std::to_string(b) + " of " + std::to_string(values) +
                      " " + testing::name(kind) + " values (seed " + std::to_string(seed) +
                      (sum == Q8Sum::kScaledSumOfQ ? ", s = d * sum q" : "") +
                      ") differs from the CPU reference: " + what);
  }
  return fails;
}

std::vector<std::string> verify_q8_overflow_detected(Executor& ex, std::span<const Path> paths,
                                                     const Quantizer& quantizer) {
  std::vector<std::string> fails;
  GemvCase c{11, 16, 512, testing::Weights::kFromNormal, testing::Values::kNormal};
  GemvData d = testing::materialize(c);
  ex.weights().load("overflow", d.w, ex.stream());
  for (float big : {9.0e6f, 3000.0f}) {  // d overflows; the sum of a block overflows
    std::vector<float> x = d.x;
    std::fill(x.begin() + 64, x.begin() + 96, big);
    for (Path p : paths) {
      if (!path_uses_q8_numerics(p)) continue;
      try {
        gpu_gemv(ex, p, Form::kInto, "overflow", d.w, x, 4, {.quantizer = &quantizer});
        fails.push_back(std::string(path_name(p)) + ": Q8_1 overflow (" + std::to_string(big) +
                        ") went unreported");
      } catch (const Q8OverflowError&) {
      }
    }
  }
  return fails;
}

std::vector<std::string> verify_bad_input_rejected(Executor& ex) {
  std::vector<std::string> fails;
  GemvCase c{5, 8, 512, testing::Weights::kFromNormal, testing::Values::kNormal};
  const GemvData d = testing::materialize(c);
  ex.weights().load("bad", d.w, ex.stream());
  DeviceBuffer<float> x(512), y(8), small_y(4);
  const std::vector<float> poison(8, output_poison());
  QGEMV_CUDA(
      cudaMemcpyAsync(y.get(), poison.data(), y.bytes(), cudaMemcpyHostToDevice, ex.stream()));
  ex.synchronize();
  auto expect_reject = [&](const char* what, auto&& call) {
    try {
      call();
      fails.push_back(std::string("not rejected: ") + what);
    } catch (const std::invalid_argument&) {
    }
  };
  expect_reject("k not a multiple of 256", [&] { ex.gemv_into(Path::kQ4K, "bad", x, y, 8, 500); });
  expect_reject("n = 0", [&] { ex.gemv_into(Path::kQ4K, "bad", x, y, 0, 512); });
  expect_reject("unknown weight", [&] { ex.gemv_into(Path::kMwv, "nope", x, y, 8, 512); });
  expect_reject("weight shape mismatch", [&] { ex.gemv_into(Path::kMwv, "bad", x, y, 8, 256); });
  expect_reject("output too small", [&] { ex.gemv_into(Path::kMwv, "bad", x, small_y, 8, 512); });
  expect_reject("outputs_per_block 3", [&] { ex.gemv_into(Path::kTiled, "bad", x, y, 8, 512, 3); });
  expect_reject("f32 input on a Q8 path", [&] { ex.gemv_into(Path::kQ4KQ8, "bad", x, y, 8, 512); });
  (void)ex.record([&] {
    expect_reject("allocation while recording",
                  [&] { ex.gemv_async(Path::kQ4K, "bad", x, 8, 512); });
  });
  std::vector<float> after(8);
  ex.synchronize();
  QGEMV_CUDA(
      cudaMemcpyAsync(after.data(), y.get(), y.bytes(), cudaMemcpyDeviceToHost, ex.stream()));
  QGEMV_CUDA(cudaStreamSynchronize(ex.stream()));
  if (!bitwise_equal(after, poison)) fails.push_back("a rejected call still wrote its output");
  return fails;
}

VerifyReport run_verify(Executor& ex, const VerifyOptions& opt, std::ostream& progress,
                        const UnitDone& unit_done, VerifyReport rep) {
  struct Unit {
    std::string path;  // the path it runs, or the structured check's name
    std::function<void()> run;
  };
  std::vector<Unit> units;
  const std::vector<Path>& paths = opt.paths;
  const Quantizer& quantizer = quantizer_or_builtin(opt.quantizer);
  auto record = [&](const std::string& suite, const std::vector<std::string>& f) {
    ++rep.tallies[suite].cases;
    rep.tallies[suite].failures += int64_t(f.size());
    for (const std::string& text : f) rep.failures.push_back({suite, text});
  };
  for (int64_t i = opt.shard; i < opt.cases; i += opt.shards)
    units.push_back({"", [&, i] {
                       const uint64_t s = case_seed(opt.seed, i);
                       GemvCase c = testing::draw_case(s, opt.max_n, opt.max_k, opt.min_k);
                       if (opt.edge_k && i < 2) c.k = edge_k(opt, i);
                       if (s % kVocabularyEvery == 0)
                         c.n = kVocabularyRows, c.k = vocabulary_k(c.k, opt.min_k);
                       const int opb = 1 << (s % 4);
                       verify_case(ex, paths, c, opb, &rep, opt.accuracy, quantizer);
                       if ((i / opt.shards + 1) % 100 == 0)
                         progress << "  case " << (i + 1) << " of " << opt.cases << " on "
                                  << paths.size() << " path(s), " << rep.failures.size()
                                  << " failures so far\n"
                                  << std::flush;
                     }});
  // Each structured check runs as one GPU step, named for the supervisor.
  if (opt.structured && opt.shard == 0) {
    for (Path p : paths)
      for (int64_t k : kOneHotKs) {
        const std::string name = std::string(path_name(p));
        units.push_back({name, [&, p, k, name] {
                           const std::string tally = name + "/one-hot k=" + std::to_string(k);
                           const StepScope scope(
                               &rep, {name, tally, name + " one-hot sweep k=" + std::to_string(k),
                                      10.0 + 0.1 * double(k)});
                           record(tally, verify_one_hot_sweep(ex, p, opt.seed + uint64_t(k),
                                                              kOneHotRows, k, quantizer));
                         }});
      }
    int64_t i = 0;
    for (testing::Values v : testing::kAllValues)
      for (int64_t values : kQ8QuantizeSizes) {
        const uint64_t s = case_seed(opt.seed, 1000 + i++);
        units.push_back({"q8_quantize", [&, v, values, s] {
                           const StepScope scope(
                               &rep, {"q8_quantize", "q8_quantize",
                                      "q8_quantize " + std::to_string(values) + " values", 10.0});
                           for (Q8Sum sum : {Q8Sum::kSumOfX, Q8Sum::kScaledSumOfQ})
                             record("q8_quantize",
                                    verify_q8_quantize(ex, s, values, v, sum, quantizer));
                         }});
      }
    units.push_back({"q8 overflow detected", [&] {
                       const StepScope scope(&rep, {"q8 overflow detected", "q8 overflow detected",
                                                    "Q8_1 overflow detection", 30.0});
                       record("q8 overflow detected",
                              verify_q8_overflow_detected(ex, paths, quantizer));
                     }});
    units.push_back({"bad input rejected", [&] {
                       const StepScope scope(&rep, {"bad input rejected", "bad input rejected",
                                                    "bad input rejection", 30.0});
                       record("bad input rejected", verify_bad_input_rejected(ex));
                     }});
  }
  const int64_t shard_cases =
      opt.cases > opt.shard ? (opt.cases - opt.shard - 1) / opt.shards + 1 : 0;
  if (opt.structured && opt.shard == 0 &&
      int64_t(units.size()) - shard_cases != total_units(opt) - opt.cases)
    throw std::logic_error("run_verify: total_units disagrees with the units it builds");
  for (int64_t u = opt.first_unit; u < int64_t(units.size()); ++u) {
    units[size_t(u)].run();
    if (unit_done) unit_done(u, rep);
  }
  return rep;
}

}  // namespace qgemv
