// The matmul kernel's GEMM for other kernels (convolution): BLAS when loaded and the operands'
// strides suit it, else the built-in blocked GEMM (matmul.cc).
#pragma once

#include <cstdint>

namespace mlx_cpu {

// c (M x N, contiguous row-major) = a (M x K, row stride rsa, column stride csa) times
// b (K x N, strides rsb, csb); with `accumulate`, c += the product instead. Runs single-threaded
// inside a parallel loop.
void gemm_dense(int64_t M, int64_t N, int64_t K, const float* a, int64_t rsa, int64_t csa, const float* b,
                int64_t rsb, int64_t csb, float* c, bool accumulate = false);
void gemm_dense(int64_t M, int64_t N, int64_t K, const double* a, int64_t rsa, int64_t csa, const double* b,
                int64_t rsb, int64_t csb, double* c, bool accumulate = false);

}  // namespace mlx_cpu
