// The system BLAS, loaded at run time with dlopen (OpenBLAS, BLIS, MKL or Apple Accelerate,
// whichever is found first), so the addon builds and loads without one.
//
// OpenBLAS kernel choice: OpenBLAS picks its kernel from CPUID while it loads, and an OpenBLAS
// older than the CPU (Debian's 0.3.21 on some recent CPUs) falls back to an old SSE kernel. The
// loader lets OpenBLAS choose (blas_info().detected) and, only where that kernel is for an older
// ISA than the CPU has (SSE/AVX where CPUID shows AVX2 + FMA or AVX-512), loads it again with
// OPENBLAS_CORETYPE set from CPUID (SkylakeX or Cooperlake with AVX-512, Zen on AMD and Haswell
// on Intel with AVX2 + FMA), restoring the environment afterwards. An OPENBLAS_CORETYPE already in
// the environment is left to OpenBLAS. blas_info().corename is the kernel OpenBLAS then runs
// (openblas_get_corename).
//
// Threading: OpenBLAS, BLIS and MKL are set to one thread, and matmul splits a large product
// into row or column blocks that the addon's own thread pool runs (one sgemm per block), so only
// one pool ever works and no BLAS thread spins while elementwise kernels run (OpenBLAS's idle
// threads otherwise busy-wait for ~0.1 s after each call). Accelerate threads itself.
//
// Environment, read when the addon loads: MLX_TS_BLAS=0 turns BLAS off (the built-in GEMM serves
// every matmul); MLX_TS_BLAS=/path/to/libblas.so loads that library instead of searching.
#pragma once

#include <cstdint>
#include <string>

namespace mlx_cpu {

struct BlasInfo {
  bool loaded = false;
  std::string library;           // what dlopen loaded
  std::string vendor;            // "OpenBLAS", "BLIS", "MKL", "Accelerate" or "unknown"
  std::string corename;          // OpenBLAS: the kernel it runs (openblas_get_corename)
  std::string config;            // OpenBLAS: openblas_get_config(); BLIS/MKL: the version string
  std::string coretype;          // OPENBLAS_CORETYPE during the load ("" when unset)
  std::string coretype_source;   // "environment", "mlx-ts" (set by the loader) or ""
  std::string detected;          // OpenBLAS: the kernel it picked by itself ("" when the environment set one)
  bool pooled = false;           // true: single-threaded BLAS, split over the addon's pool
  double own_threads_flops = 0;  // OpenBLAS: from this many flops it threads a product itself (0: never)
  std::string error;             // why no BLAS is loaded, when none is
};

// Loads the BLAS on first use (the addon also does so while it loads, on the main thread).
const BlasInfo& blas_info();

// Row-major C[M x N] = op(A)[M x K] * op(B)[K x N] (alpha 1, beta 0; beta 1, adding into C, when
// `accumulate`), with op transposing when trans_*; lda/ldb/ldc as CBLAS. False (C untouched) when no BLAS is loaded or
// a size exceeds int. Large products run on the thread pool.
bool blas_gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B,
               int64_t ldb, float* C, int64_t ldc, bool accumulate = false);
bool blas_gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, const double* A, int64_t lda,
               const double* B, int64_t ldb, double* C, int64_t ldc, bool accumulate = false);

// The kernel name OpenBLAS should run on this CPU (nullptr when none is known or not x86).
const char* openblas_coretype_for_cpu();

}  // namespace mlx_cpu
