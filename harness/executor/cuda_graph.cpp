#include "harness/executor/cuda_graph.h"

#include "harness/executor/cuda_check.h"

namespace qgemv {

CudaGraph::~CudaGraph() {
  if (exec_) (void)cudaGraphExecDestroy(exec_);
  if (graph_) (void)cudaGraphDestroy(graph_);
}

CudaGraph& CudaGraph::operator=(CudaGraph&& o) noexcept {
  if (this != &o) {
    this->~CudaGraph();
    graph_ = std::exchange(o.graph_, nullptr);
    exec_ = std::exchange(o.exec_, nullptr);
  }
  return *this;
}

void CudaGraph::replay(cudaStream_t stream) const {
  QGEMV_CUDA_CTX(cudaGraphLaunch(exec_, stream), "graph replay");
}

size_t CudaGraph::nodes() const {
  size_t count = 0;
  QGEMV_CUDA(cudaGraphGetNodes(graph_, nullptr, &count));
  return count;
}

}  // namespace qgemv
