#include "harness/executor/weight_store.h"

#include <stdexcept>

namespace qgemv {

void WeightStore::load(const std::string& name, const Q4KMatrix& w, cudaStream_t stream) {
  check_shape(w.n, w.k);
  // Guarded, so that a kernel reading past its weights reads NaN (guard_zone.h).
  DeviceBuffer<BlockQ4K> buf(w.blocks.size(), WithGuards{stream});
  QGEMV_CUDA_CTX(
      cudaMemcpyAsync(buf.get(), w.blocks.data(), w.bytes(), cudaMemcpyHostToDevice, stream),
      "weight " + name);
  QGEMV_CUDA_CTX(cudaStreamSynchronize(stream), "weight " + name);
  individual_.insert_or_assign(name, Individual{std::move(buf), w.n, w.k});
}

void WeightStore::load_pooled(const std::vector<HostWeight>& weights, cudaStream_t stream) {
  if (arena_.get() != nullptr) throw std::logic_error("the weight arena is already loaded");
  size_t total = 0;
  for (const HostWeight& w : weights) {
    check_shape(w.n, w.k);
    total += w.bytes() / sizeof(BlockQ4K);
  }
  arena_ = DeviceBuffer<BlockQ4K>(total);
  size_t offset = 0;
  for (const HostWeight& w : weights) {
    if (pooled_.count(w.name)) throw std::invalid_argument("weight '" + w.name + "' given twice");
    QGEMV_CUDA_CTX(
        cudaMemcpyAsync(arena_.get() + offset, w.blocks, w.bytes(), cudaMemcpyHostToDevice, stream),
        "pooled weight " + w.name);
    pooled_[w.name] = {arena_.get() + offset, w.n, w.k};
    offset += w.bytes() / sizeof(BlockQ4K);  // 144-byte blocks keep every weight 16-byte aligned
  }
  QGEMV_CUDA_CTX(cudaStreamSynchronize(stream), "weight arena");
}

void WeightStore::stack(const std::string& name, const std::vector<std::string>& parts) {
  if (parts.empty()) throw std::invalid_argument("stacked weight '" + name + "' has no parts");
  if (contains(name)) throw std::invalid_argument("weight '" + name + "' exists already");
  WeightView whole{nullptr, 0, 0};
  for (const std::string& part : parts) {
    const auto it = pooled_.find(part);
    if (it == pooled_.end())
      throw std::invalid_argument("stacked weight '" + name + "': '" + part +
                                  "' is not a pooled weight");
    const WeightView& v = it->second;
    if (whole.blocks == nullptr) {
      whole = v;
      continue;
    }
    if (v.k != whole.k || v.blocks != whole.blocks + whole.n * (whole.k / kQK))
      throw std::invalid_argument("stacked weight '" + name + "': '" + part +
                                  "' does not follow the previous part in the arena with the "
                                  "same k");
    whole.n += v.n;
  }
  pooled_[name] = whole;
}

void WeightStore::clear() {
  pooled_.clear();
  individual_.clear();
  arena_ = DeviceBuffer<BlockQ4K>();
}

WeightView WeightStore::lookup(const std::string& name) const {
  if (auto it = pooled_.find(name); it != pooled_.end()) return it->second;
  if (auto it = individual_.find(name); it != individual_.end())
    return {it->second.buffer.get(), it->second.n, it->second.k};
  std::string known;
  for (const auto& n : names()) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown weight '" + name +
                              "'; known: " + (known.empty() ? "(none loaded)" : known));
}

bool WeightStore::contains(const std::string& name) const {
  return pooled_.count(name) || individual_.count(name);
}

std::vector<std::string> WeightStore::names() const {
  std::vector<std::string> out;
  for (const auto& [n, v] : pooled_) out.push_back(n);
  for (const auto& [n, v] : individual_)
    if (!pooled_.count(n)) out.push_back(n);
  return out;
}

size_t WeightStore::bytes() const {
  size_t b = arena_.bytes();
  for (const auto& [n, w] : individual_) b += w.buffer.bytes();
  return b;
}

}  // namespace qgemv
