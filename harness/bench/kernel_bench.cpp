#include "harness/bench/kernel_bench.h"

#include <cmath>
#include <stdexcept>

#include "harness/bench/bench_weights.h"
#include "harness/executor/transfers.h"
#include "harness/gguf/llama_tensors.h"
#include "harness/verify/random_case.h"
#include "kernels/bench/bench_kernels.h"

namespace qgemv {

std::string_view timing_name(KernelTiming t) {
  return t == KernelTiming::kBatch ? "batch" : "launch";
}

std::optional<KernelTiming> parse_kernel_timing(const std::string& s) {
  for (KernelTiming t : kAllKernelTimings)
    if (s == timing_name(t)) return t;
  return std::nullopt;
}

std::string_view timing_mode(KernelTiming t) { return t == KernelTiming::kBatch ? "batch" : "-"; }

std::string KernelCase::path_column() const {
  return std::string(read_only ? kReadRowPath : path_name(path));
}

int64_t KernelCase::bytes() const {
  return read_only ? q4k_weight_bytes(projection.n, projection.k)
                   : gemv_bytes(path, projection.n, projection.k);
}

std::string KernelCase::name() const {
  return "kernel/" + preset + "/" + projection.name + "/" + path_column() + "/" +
         std::to_string(projection.n) + "x" + std::to_string(projection.k) +
         (timing == KernelTiming::kBatch ? "/batch" : "");
}

RowKey KernelCase::row_key() const {
  return {
      "kernel",     preset,      projection.name, path_column(), std::string(timing_mode(timing)),
      projection.n, projection.k};
}

std::vector<KernelCase> kernel_cases(const std::vector<std::string>& presets,
                                     const std::vector<Path>& paths,
                                     const std::vector<KernelTiming>& timings) {
  std::vector<KernelCase> out;
  for (const auto& name : presets)
    for (const Projection& proj : layer_projections(find_preset(name))) {
      if (!q4k_representable(proj)) continue;
      for (KernelTiming t : timings) {
        for (Path p : paths) out.push_back({name, proj, p, t, nullptr, ""});
        out.push_back({name, proj, Path::kMwvQ8, t, nullptr, "", true});
      }
    }
  return out;
}

std::vector<std::string> kernel_cases_skipped(const std::vector<std::string>& presets) {
  std::vector<std::string> out;
  for (const auto& name : presets)
    for (const Projection& proj : layer_projections(find_preset(name)))
      if (!q4k_representable(proj))
        out.push_back(name + " " + proj.name + " (" + std::to_string(proj.n) + " x " +
                      std::to_string(proj.k) +
                      "): k is not a multiple of 256, so Q4_K cannot hold it");
  return out;
}

std::vector<KernelCase> kernel_cases(std::shared_ptr<const gguf::GgufFile> file,
                                     const std::vector<Path>& paths,
                                     const std::vector<KernelTiming>& timings) {
  const gguf::LlamaTensors t = gguf::llama_tensors(*file);
  std::vector<KernelCase> out;
  // In a layer's issue order, each projection's first Q4_K tensor (the lowest layer's).
  for (int index = 0; index < 7; ++index)
    for (const gguf::ProjectionTensor& p : t.q4k)
      if (p.projection_index == index) {
        for (KernelTiming timing : timings) {
          for (Path path : paths)
            out.push_back({t.model, {p.projection, p.n, p.k}, path, timing, file, p.tensor});
          out.push_back(
              {t.model, {p.projection, p.n, p.k}, Path::kMwvQ8, timing, file, p.tensor, true});
        }
        break;
      }
  return out;
}

int64_t q8_bytes(int64_t k) { return k / kQ8Values * int64_t(sizeof(BlockQ8_1)); }

int64_t quantize_bytes(int64_t k) { return k * 4 + q8_bytes(k); }

int64_t gemv_bytes(Path p, int64_t n, int64_t k) {
  const int64_t input = path_takes_q8(p) ? q8_bytes(k) : k * 4;
  return q4k_weight_bytes(n, k) + input + n * 4;
}

KernelBench::KernelBench(Executor& ex, const KernelBenchOptions& opt, int64_t l2_bytes)
    : ex_(ex), opt_(opt), rotate_bytes_(opt.rotate_bytes > 0 ? opt.rotate_bytes : 4 * l2_bytes) {}

void KernelBench::prepare(const KernelCase& c) {
  case_ = c;
  const int64_t n = c.projection.n, k = c.projection.k;
  const std::string weights =
      c.file ? c.file->label() + ":" + c.tensor : std::to_string(n) + "x" + std::to_string(k);
  if (weights != loaded_) {
    host_ = c.file ? gguf::q4k_matrix(*c.file, *c.file->find_tensor(c.tensor))
                   : random_bench_weights(n, k, opt_.seed ^ uint64_t(n * 1000003 + k));
    load();
    loaded_ = weights;
  }
  poison(y_, ex_.stream());
  next_ = 0;
}

void KernelBench::relocate() {
  // Spacer sizes in whole 2 MiB pages (cudaMalloc's granularity for large allocations), up to
  // 128 MiB, drawn from the seed and the placement count so that a run is repeatable.
  testing::Rng rng(opt_.seed * 0x9e3779b97f4a7c15ull + ++placements_);
  const size_t pages = 1 + size_t(rng() % 64);
  ex_.weights().clear();
  x_ = DeviceBuffer<float>();
  xq_ = DeviceBuffer<BlockQ8_1>();
  y_ = DeviceBuffer<float>();
  spacer_ = DeviceBuffer<char>();
  spacer_ = DeviceBuffer<char>(pages << 21);
  load();
  poison(y_, ex_.stream());
  next_ = 0;
}

void KernelBench::load() {
  const int64_t n = case_.projection.n, k = case_.projection.k;
  const cudaStream_t s = ex_.stream();
  ex_.weights().clear();
  copies_.clear();
  const int64_t count =
      std::max<int64_t>(2, (rotate_bytes_ + int64_t(host_.bytes()) - 1) / int64_t(host_.bytes()));
  std::vector<HostWeight> named;
  for (int64_t i = 0; i < count; ++i) {
    copies_.push_back("copy" + std::to_string(i));
    named.push_back({copies_.back(), n, k, host_.blocks.data()});
  }
  ex_.weights().load_pooled(named, s);
  testing::Rng rng(opt_.seed + uint64_t(k));
  x_ = upload(testing::random_values(rng, size_t(k), testing::Values::kNormal), s);
  xq_ = DeviceBuffer<BlockQ8_1>(size_t(k / kQ8Values));
  // One input for every path of the shape: a Q8_1 kernel reads s whatever it holds, so its
  // time does not depend on the convention.
  ex_.q8_quantize_into(x_, xq_, k, Q8Sum::kSumOfX);
  ex_.synchronize();
  y_ = DeviceBuffer<float>(size_t(n));
}

void KernelBench::set_path(Path p) {
  if (case_.read_only || path_takes_q8(p) != path_takes_q8(case_.path))
    throw std::invalid_argument("path " + std::string(path_name(p)) + " cannot stand in for " +
                                case_.name() + ": it reads another input");
  case_.path = p;
}

int KernelBench::launches() const {
  return case_.timing == KernelTiming::kBatch ? kBatchLaunches : 1;
}

double KernelBench::sample_us() {
  const int64_t n = case_.projection.n, k = case_.projection.k;
  const cudaStream_t s = ex_.stream();
  const int launches = this->launches();
  const double us = timer_.time_steps(s, 1, [&](size_t) {
    for (int i = 0; i < launches; ++i) {
      const std::string& w = copies_[next_++ % copies_.size()];
      if (case_.read_only)
        QGEMV_CUDA_CTX(launch_dependent_read(ex_.weights().lookup(w).blocks, size_t(case_.bytes()),
                                             sink_.get(), s),
                       "kernel dependent_read_kernel, " + case_.name());
      else if (path_takes_q8(case_.path))
        ex_.gemv_into(case_.path, w, xq_, y_, n, k);
      else
        ex_.gemv_into(case_.path, w, x_, y_, n, k);
    }
    if (spin_cycles_) QGEMV_CUDA_CTX(launch_spin_cycles(*spin_cycles_, s), "spin_kernel");
  })[0];
  return us / launches;
}

void KernelBench::check_output() const {
  ex_.synchronize();
  if (case_.read_only) return;
  const std::vector<float> y = download(y_, ex_.stream());
  for (size_t i = 0; i < y.size(); ++i)
    if (!std::isfinite(y[i]))
      throw std::runtime_error(case_.name() + ": output element " + std::to_string(i) +
                               " is not finite after the timed launches (" +
                               (std::isnan(y[i]) ? "NaN: never written?" : "inf") + ")");
}

}  // namespace qgemv
