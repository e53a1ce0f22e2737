#pragma once
// An instantiated CUDA graph: recorded once, replayed on a stream. Move-only.
#include <cuda_runtime_api.h>

#include <utility>

namespace qgemv {

class CudaGraph {
 public:
  CudaGraph() = default;
  CudaGraph(cudaGraph_t g, cudaGraphExec_t e) : graph_(g), exec_(e) {}
  ~CudaGraph();
  CudaGraph(CudaGraph&& o) noexcept { *this = std::move(o); }
  CudaGraph& operator=(CudaGraph&& o) noexcept;
  CudaGraph(const CudaGraph&) = delete;
  CudaGraph& operator=(const CudaGraph&) = delete;

  void replay(cudaStream_t stream) const;
  size_t nodes() const;

 private:
  cudaGraph_t graph_ = nullptr;
  cudaGraphExec_t exec_ = nullptr;
};

}  // namespace qgemv
