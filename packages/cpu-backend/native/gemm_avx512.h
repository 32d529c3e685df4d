// The built-in float32 GEMM's AVX-512 micro-kernels (gemm_avx512.cc), chosen at run time from
// CPUID, so one build runs on CPUs with and without AVX-512 (a -march=native build on an AVX2-only
// machine, or a portable build, still carries them). They read the packed layout of matmul.cc's
// AVX2 kernel unchanged: 6-row A panels (k-major, zero-padded) and 16-column B panels (k-major,
// zero-padded), so packing and gemm_nr() do not depend on which kernel runs. A 12 x 32 register
// tile (24 zmm accumulators) covers two A panels and two B panels at once.
#pragma once

#include <cstdint>

namespace mlx_cpu {

// True when the CPU and OS run AVX-512F and MLX_TS_GEMM_AVX512 (read once) is not "0".
bool gemm_avx512_enabled();

// c[0:mc, 0:nc] (row-major, row stride ldc) = (or += when `accumulate`) an A block of mc rows
// packed as 6-row panels (panel i at a + i * 6 * kc) times nc columns of 16-column B panels
// (panel j at b + j * 16 * kc). Call only when gemm_avx512_enabled().
void gemm_avx512_block(int64_t kc, const float* a, int64_t mc, const float* b, int64_t nc, float* c, int64_t ldc,
                       bool accumulate);

// As gemm_avx512_block, with A read in place (row i at a + i * lda, unit column stride) rather
// than packed: for A blocks already in cache (a convolution's patches). Call only when
// gemm_avx512_enabled().
void gemm_avx512_block_direct(int64_t kc, const float* a, int64_t lda, int64_t mc, const float* b, int64_t nc, float* c,
                              int64_t ldc, bool accumulate);

// True when gemm_avx512_enabled() and the CPU has AVX512_BF16 (vdpbf16ps).
bool gemm_avx512_bf16_enabled();

// c (M x N, contiguous row-major float32) = a (M x K bfloat16 bits, strides rsa, csa) times b (K x N,
// strides rsb, csb), k-pairs multiplied exactly and summed in float32 by vdpbf16ps (denormal
// inputs read as zero); threaded over column ranges. Call only when gemm_avx512_bf16_enabled().
void gemm_avx512_bf16(int64_t M, int64_t N, int64_t K, const uint16_t* a, int64_t rsa, int64_t csa, const uint16_t* b,
                      int64_t rsb, int64_t csb, float* c);

}  // namespace mlx_cpu
