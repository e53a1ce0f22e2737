#include "experiments/read_inflight/read_sweep.h"

#include <algorithm>
#include <functional>
#include <ostream>

#include "experiments/read_inflight/read_kernels.h"
#include "harness/bench/bench_weights.h"
#include "harness/bench/gpu_timer.h"
#include "harness/bench/model_preset.h"
#include "harness/bench/read_ceiling.h"
#include "harness/bench/sample_stats.h"
#include "harness/executor/cuda_check.h"
#include "harness/executor/device_info.h"
#include "harness/executor/executor.h"
#include "kernels/bench/bench_kernels.h"

namespace qgemv::experiment {
namespace {

// A reader as the sweep times it: its row's identity and its launch over one buffer of the
// shape's bytes.
struct Reader {
  std::string variant;
  int u = 0;
  int threads = 0;
  int64_t in_flight_per_sm = 0;
  std::function<cudaError_t(const void* data, unsigned* sink, cudaStream_t s)> launch;
};

// The read row itself, then every config, each over `bytes`.
std::vector<Reader> readers_for(const std::vector<ReadConfig>& configs,
                                const std::vector<ReadResidency>& residency, int64_t bytes,
                                bool with_read_row) {
  std::vector<Reader> out;
  if (with_read_row) {
    // The read row's kernel is kLoads at u = 1 and 256 threads, so its occupancy is that one's.
    const ReadConfig same{ReadVariant::kLoads, 1, 256};
    out.push_back({std::string(kReadRowReader), 1, 256,
                   read_bytes_in_flight_per_sm(same, read_residency(same).ctas_per_sm),
                   [bytes](const void* data, unsigned* sink, cudaStream_t s) {
                     return launch_dependent_read(data, size_t(bytes), sink, s);
                   }});
  }
  for (size_t i = 0; i < configs.size(); ++i) {
    const ReadConfig c = configs[i];
    const ReadLaunch l = read_launch(c, bytes, residency[i].resident_ctas());
    out.push_back({std::string(read_variant_name(c.variant)), c.u, c.threads,
                   read_bytes_in_flight_per_sm(c, residency[i].ctas_per_sm),
                   [c, l](const void* data, unsigned* sink, cudaStream_t s) {
                     return launch_read(c, l, data, sink, s);
                   }});
  }
  return out;
}

// Copies of a shape's weights back to back in one allocation, together more than
// `rotate_bytes`, as the kernel suite pools its rotation; each launch reads the next copy.
class Rotation {
 public:
  Rotation(const SweepShape& shape, int64_t rotate_bytes, uint64_t seed, cudaStream_t s)
      : bytes_(shape.bytes),
        copies_(std::max<int64_t>(2, (rotate_bytes + bytes_ - 1) / bytes_)),
        arena_(size_t(bytes_ * copies_)) {
    const Q4KMatrix host =
        random_bench_weights(shape.n, shape.k, seed ^ uint64_t(shape.n * 1000003 + shape.k));
    for (int64_t i = 0; i < copies_; ++i)
      QGEMV_CUDA(cudaMemcpyAsync(arena_.get() + i * bytes_, host.blocks.data(), size_t(bytes_),
                                 cudaMemcpyHostToDevice, s));
    QGEMV_CUDA(cudaStreamSynchronize(s));
  }
  const void* next() { return arena_.get() + int64_t(next_++ % uint64_t(copies_)) * bytes_; }

 private:
  int64_t bytes_;
  int64_t copies_;
  DeviceBuffer<unsigned char> arena_;
  uint64_t next_ = 0;
};

// Times readers on buffers handed out by `next_buffer`, the way KernelBench::sample_us times a
// case: each sample one launch, or kBatchLaunches back to back (time per launch).
class SweepTimer {
 public:
  SweepTimer(cudaStream_t s, unsigned* sink) : stream_(s), sink_(sink) {}

  double sample_us(const Reader& r, KernelTiming t, const std::function<const void*()>& next) {
    const int launches = t == KernelTiming::kBatch ? kBatchLaunches : 1;
    const double us = timer_.time_steps(stream_, 1, [&](size_t) {
      for (int i = 0; i < launches; ++i)
        QGEMV_CUDA_CTX(r.launch(next(), sink_, stream_),
                       r.variant + "/u" + std::to_string(r.u) + "/t" + std::to_string(r.threads));
    })[0];
    return us / launches;
  }

  // `rounds` turns over the readers, each turn `warmup` untimed samples then `samples` timed.
  std::vector<SampleStats> in_rounds(const std::vector<Reader>& readers, KernelTiming t,
                                     const std::function<const void*()>& next, int rounds,
                                     int warmup, int samples) {
    std::vector<std::vector<double>> us(readers.size());
    for (int round = 0; round < rounds; ++round)
      for (size_t i = 0; i < readers.size(); ++i)
        for (int s = -warmup; s < samples; ++s) {
          const double sample = sample_us(readers[i], t, next);
          if (s >= 0) us[i].push_back(sample);
        }
    std::vector<SampleStats> out;
    for (auto& v : us) out.push_back(sample_stats(std::move(v)));
    return out;
  }

 private:
  cudaStream_t stream_;
  unsigned* sink_;
  GatedTimer timer_;
};

std::string device_line(const DeviceInfo& d) {
  return d.name + " (sm_" + std::to_string(d.cc_major) + std::to_string(d.cc_minor) + ", " +
         std::to_string(d.sms) + " SMs, " + std::to_string(d.l2_bytes >> 20) + " MiB L2)";
}

void add_rows(std::vector<SweepRow>& rows, const std::vector<Reader>& readers,
              const std::vector<SampleStats>& stats, const std::string& shape, int64_t bytes,
              KernelTiming t) {
  for (size_t i = 0; i < readers.size(); ++i)
    rows.push_back({readers[i].variant, readers[i].u, readers[i].threads, shape, bytes,
                    std::string(timing_name(t)), stats[i].median, readers[i].in_flight_per_sm});
}

SweepRow ceiling_row(std::string_view name, const ReadCeiling& c) {
  // The ceiling kernel (stream_read.cu): 4 CTAs of 512 per SM, four loads per lane in flight.
  return {std::string(name), 4,        512,         ceiling_shape_name(c.bytes),
          c.bytes,           "launch", c.us.median, int64_t(4) * 512 * 4 * kReadWordBytes};
}

}  // namespace

std::vector<SweepShape> sweep_shapes(const std::vector<std::string>& presets) {
  std::vector<SweepShape> out;
  for (const std::string& name : presets) {
    const size_t first = out.size();
    for (const Projection& p : layer_projections(find_preset(name))) {
      if (!q4k_representable(p)) continue;
      const int64_t bytes = q4k_weight_bytes(p.n, p.k);
      const auto same = std::find_if(out.begin() + ptrdiff_t(first), out.end(),
                                     [&](const SweepShape& s) { return s.bytes == bytes; });
      if (same != out.end())
        same->name += "+" + p.name;
      else
        out.push_back({name + "/" + p.name, p.n, p.k, bytes});
    }
  }
  return out;
}

std::string ceiling_shape_name(int64_t bytes) {
  return bytes % (int64_t(1) << 30) == 0 ? "ceiling-" + std::to_string(bytes >> 30) + "GiB"
                                         : "ceiling-" + std::to_string(bytes >> 20) + "MiB";
}

SweepResult run_read_sweep(const SweepOptions& o) {
  const DeviceInfo d = query_device();
  Executor ex;
  const cudaStream_t s = ex.stream();
  DeviceBuffer<unsigned> sink(1);
  SweepTimer timer(s, sink.get());
  std::vector<ReadResidency> residency;
  for (const ReadConfig& c : o.configs) residency.push_back(read_residency(c));

  SweepResult result;
  result.device = device_line(d);
  result.sms = d.sms;
  const ReadCeiling first = measure_read_ceiling(s);
  result.ceiling_gbps = first.gbps;
  result.rows.push_back(ceiling_row(kCeilingReader, first));
  if (o.ceiling_bytes > 0) {
    if (o.progress) *o.progress << ceiling_shape_name(o.ceiling_bytes) << "\n";
    DeviceBuffer<unsigned char> big(size_t(o.ceiling_bytes));
    QGEMV_CUDA(cudaMemsetAsync(big.get(), 0x5A, big.bytes(), s));  // as the ceiling reads it
    const auto readers = readers_for(o.configs, residency, o.ceiling_bytes, false);
    const auto stats = timer.in_rounds(
        readers, KernelTiming::kOneLaunch, [&] { return big.get(); }, 1, 1, o.ceiling_samples);
    add_rows(result.rows, readers, stats, ceiling_shape_name(o.ceiling_bytes), o.ceiling_bytes,
             KernelTiming::kOneLaunch);
  }
  for (const SweepShape& shape : sweep_shapes(o.presets)) {
    if (o.progress) *o.progress << shape.name << " (" << shape.bytes << " bytes)\n";
    Rotation rotation(shape, 4 * d.l2_bytes, o.seed, s);
    const auto readers = readers_for(o.configs, residency, shape.bytes, true);
    for (KernelTiming t : o.timings) {
      const auto stats = timer.in_rounds(
          readers, t, [&] { return rotation.next(); }, o.rounds, o.warmup, o.samples_per_round);
      add_rows(result.rows, readers, stats, shape.name, shape.bytes, t);
    }
  }
  const ReadCeiling last = measure_read_ceiling(s);
  result.ceiling_end_gbps = last.gbps;
  result.rows.push_back(ceiling_row(kCeilingEndReader, last));
  return result;
}

}  // namespace qgemv::experiment
