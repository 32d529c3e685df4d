// The matmul kernel's GEMM for other kernels (convolution): BLAS when loaded and the operands'
// strides suit it, else the built-in blocked GEMM (matmul.cc).
#pragma once

#include <cstdint>

namespace mlx_cpu {

// c (M x N, contiguous row-major) = a (M x K, row stride rsa, column stride csa) times
// b (K x N, strides rsb, csb); with `accumulate`, c += the product instead. Runs single-threaded
// inside a parallel loop.
void gemm_dense(int64_t M, int64_t N, int64_t K, const float* a, int64_t rsa, int64_t csa, const float* b, int64_t rsb,
                int64_t csb, float* c, bool accumulate = false);
void gemm_dense(int64_t M, int64_t N, int64_t K, const double* a, int64_t rsa, int64_t csa, const double* b,
                int64_t rsb, int64_t csb, double* c, bool accumulate = false);

// c (M x N, row-major; += when `accumulate`) = a (M x K, strides rsa, csa) times a B already in
// the built-in GEMM's packed layout: NR-column panels of K rows, k-major in a panel (panel j at
// b + j * NR * K, column jj of row p at + p * NR + jj), zero past N. For a caller that can write
// B in that layout as cheaply as contiguously (a convolution's patches), saving the packing
// pass. Single-threaded. gemm_nr<A>() is NR.
template <class A>
constexpr int64_t gemm_nr() {
  return sizeof(A) == 4 ? 16 : 8;
}
void gemm_packed_b(int64_t M, int64_t N, int64_t K, const float* a, int64_t rsa, int64_t csa, const float* b, float* c,
                   bool accumulate);
void gemm_packed_b(int64_t M, int64_t N, int64_t K, const double* a, int64_t rsa, int64_t csa, const double* b,
                   double* c, bool accumulate);

}  // namespace mlx_cpu
