#pragma once
// Lets the block formats and their helpers compile unchanged under nvcc and a plain C++ compiler,
// so that host reference code and device kernels share one definition.
#if defined(__CUDACC__)
#define QGEMV_HD __host__ __device__ __forceinline__
#else
#define QGEMV_HD inline
#endif
