/* The C interface of a GEMV paths library (libqgemv_paths.so, or a project's own): what
 * another qgemv process loads with dlopen to run this build's paths beside its own
 * (docs/ab-gate.md). Plain C, fixed-width types, no ownership crossing: a library built with
 * another compiler, standard library or CUDA toolkit than the loading qgemv still works.
 * Every exported function catches everything; errors are codes.
 *
 * A library exports exactly these four functions (extern "C", default visibility):
 *   uint32_t qgemv_paths_abi_version(void);           read first; the loader reads exactly
 *                                                     its own QGEMV_PATHS_ABI_VERSION
 *   const qgemv_paths_table* qgemv_paths_get_table(void);   valid until the process ends
 *   int32_t qgemv_paths_prepare(int32_t device);      per launching thread, before launches
 *   const char* qgemv_paths_error_string(int32_t code);
 * Error codes are the library's CUDA runtime's cudaError_t values (0: success), which the
 * runtime keeps stable across versions. */
#ifndef QGEMV_KERNELS_LAUNCH_PATHS_ABI_H
#define QGEMV_KERNELS_LAUNCH_PATHS_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Changes whenever a struct's layout or a function's meaning changes. */
#define QGEMV_PATHS_ABI_VERSION 1u

/* qgemv_path_row.input: what the kernel reads. */
#define QGEMV_PATHS_INPUT_F32 0  /* k floats */
#define QGEMV_PATHS_INPUT_Q8_1 1 /* k/32 Q8_1 blocks of 36 bytes (qs[32], d, s), qgemv's layout,
                                   s = fp16(sum of the block's 32 inputs) */
#define QGEMV_PATHS_INPUT_Q8_1_SCALED_SUM 2 /* the same blocks with s = fp16(d * sum of qs) */

/* qgemv_path_row.arithmetic: which reference checks it (qgemv's Arithmetic). */
#define QGEMV_PATHS_ARITHMETIC_F32 0
#define QGEMV_PATHS_ARITHMETIC_Q8_1 1
#define QGEMV_PATHS_ARITHMETIC_Q8_1_IN_KERNEL 2

/* One GEMV y = W x: device pointers in the device's primary context. */
typedef struct qgemv_paths_gemv {
  const void* weights; /* n rows of k/256 Q4_K blocks (144 bytes each), 16-byte aligned */
  const void* input;   /* per the row's input kind, 16-byte aligned */
  float* output;       /* n floats */
  int64_t n;
  int64_t k;                 /* a multiple of 256 */
  int32_t outputs_per_block; /* 1, 2, 4 or 8 where the row takes it, else ignored */
  uint32_t* status;          /* device word; bit 0 set when an input overflows Q8_1 */
} qgemv_paths_gemv;

typedef struct qgemv_path_row {
  const char* name; /* what --path takes, after the loader's prefix */
  int32_t input;
  int32_t arithmetic;
  /* The longest chain of f32 roundings one summand passes through is k/256 + this. */
  int64_t rounding_extra;
  int32_t takes_outputs_per_block; /* 0 or 1 */
  /* Enqueues the GEMV on `stream` (a cudaStream_t / CUstream); never synchronises. Returns
   * 0, or the launch's error. */
  int32_t (*launch)(const void* context, const qgemv_paths_gemv* gemv, void* stream);
  /* The kernel that launch runs for k, for messages; never NULL. */
  const char* (*kernel_name)(const void* context, int64_t k);
  /* May be NULL. The grid and block of the launch for (n, k, opb); returns 0 or an error. */
  int32_t (*shape)(const void* context, int64_t n, int64_t k, int32_t outputs_per_block,
                   uint32_t* grid, uint32_t* block);
  const void* context; /* passed back to the three functions */
} qgemv_path_row;

typedef struct qgemv_paths_table {
  const char* library;  /* who built it: "qgemv", or a project's name */
  const char* revision; /* its source revision (qgemv: git describe, "-dirty" when edited) */
  size_t count;
  const qgemv_path_row* rows;
} qgemv_paths_table;

typedef uint32_t (*qgemv_paths_abi_version_fn)(void);
typedef const qgemv_paths_table* (*qgemv_paths_get_table_fn)(void);
typedef int32_t (*qgemv_paths_prepare_fn)(int32_t device);
typedef const char* (*qgemv_paths_error_string_fn)(int32_t code);

#ifdef __cplusplus
}
#endif

#endif /* QGEMV_KERNELS_LAUNCH_PATHS_ABI_H */
