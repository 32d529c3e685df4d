#include "gemm_avx512.h"

#include <cstdlib>
#include <cstring>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define MLX_TS_GEMM_AVX512 1
#include <immintrin.h>
#endif

namespace mlx_cpu {

#ifdef MLX_TS_GEMM_AVX512

namespace {

constexpr int kMR = 6, kNR = 16;  // the packed panels' heights and widths (matmul.cc's Blocking<float>)

// PA A panels (6 * PA rows) times PB B panels (16 * PB columns); m rows and n columns of the tile
// are stored. Register use: 6 * PA * PB accumulators, PB B vectors, one broadcast.
template <int PA, int PB>
__attribute__((target("avx512f"))) void kernel(int64_t kc, const float* a, int64_t a_next, const float* b,
                                               int64_t b_next, float* c, int64_t ldc, int m, int n, bool accumulate) {
  constexpr int R = kMR * PA;
  __m512 acc[R][PB];
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < PB; ++j) acc[i][j] = _mm512_setzero_ps();
  // The C tile is touched only after the loop: start its lines on their way now.
  for (int i = 0; i < m; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
    if (PB == 2) _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 31), _MM_HINT_T0);
  }
  const float* a1 = a + a_next;
  const float* b1 = b + b_next;
#pragma GCC unroll 2
  for (int64_t p = 0; p < kc; ++p) {
    // Eight k-steps ahead (512 bytes of a B panel): the packed B panels are read once per A block.
    _mm_prefetch(reinterpret_cast<const char*>(b + 8 * kNR), _MM_HINT_T0);
    if (PB == 2) _mm_prefetch(reinterpret_cast<const char*>(b1 + 8 * kNR), _MM_HINT_T0);
    __m512 bv[PB];
    bv[0] = _mm512_loadu_ps(b);
    if (PB == 2) bv[PB - 1] = _mm512_loadu_ps(b1);
    for (int i = 0; i < R; ++i) {
      const __m512 ai = _mm512_set1_ps(i < kMR ? a[i] : a1[i - kMR]);
      for (int j = 0; j < PB; ++j) acc[i][j] = _mm512_fmadd_ps(ai, bv[j], acc[i][j]);
    }
    a += kMR;
    a1 += kMR;
    b += kNR;
    b1 += kNR;
  }
  if (m == R && n == kNR * PB) {
    for (int i = 0; i < R; ++i) {
      for (int j = 0; j < PB; ++j) {
        float* dst = c + i * ldc + j * kNR;
        _mm512_storeu_ps(dst, accumulate ? _mm512_add_ps(acc[i][j], _mm512_loadu_ps(dst)) : acc[i][j]);
      }
    }
    return;
  }
  for (int j = 0; j < PB; ++j) {
    const int left = n - j * kNR;
    if (left <= 0) break;
    const __mmask16 mask = left >= kNR ? __mmask16(0xffff) : __mmask16((1u << left) - 1);
    for (int i = 0; i < m; ++i) {
      float* dst = c + i * ldc + j * kNR;
      const __m512 v = accumulate ? _mm512_add_ps(acc[i][j], _mm512_maskz_loadu_ps(mask, dst)) : acc[i][j];
      _mm512_mask_storeu_ps(dst, mask, v);
    }
  }
}

bool detect() {
  if (const char* env = std::getenv("MLX_TS_GEMM_AVX512")) {
    if (std::strcmp(env, "0") == 0) return false;
  }
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
}

}  // namespace

bool gemm_avx512_enabled() {
  static const bool on = detect();
  return on;
}

void gemm_avx512_block(int64_t kc, const float* a, int64_t mc, const float* b, int64_t nc, float* c, int64_t ldc,
                       bool accumulate) {
  const int64_t a_next = kMR * kc, b_next = kNR * kc;
  // B's 32-column pair stays in L1 while the A block (in L2) streams past it.
  for (int64_t jr = 0; jr < nc; jr += 2 * kNR) {
    const int n = int(nc - jr < 2 * kNR ? nc - jr : 2 * kNR);
    const float* bp = b + jr * kc;
    for (int64_t ir = 0; ir < mc; ir += 2 * kMR) {
      const int m = int(mc - ir < 2 * kMR ? mc - ir : 2 * kMR);
      const float* ap = a + ir * kc;
      float* cp = c + ir * ldc + jr;
      if (m > kMR) {
        if (n > kNR)
          kernel<2, 2>(kc, ap, a_next, bp, b_next, cp, ldc, m, n, accumulate);
        else
          kernel<2, 1>(kc, ap, a_next, bp, b_next, cp, ldc, m, n, accumulate);
      } else if (n > kNR) {
        kernel<1, 2>(kc, ap, a_next, bp, b_next, cp, ldc, m, n, accumulate);
      } else {
        kernel<1, 1>(kc, ap, a_next, bp, b_next, cp, ldc, m, n, accumulate);
      }
    }
  }
}

#else

bool gemm_avx512_enabled() { return false; }
void gemm_avx512_block(int64_t, const float*, int64_t, const float*, int64_t, float*, int64_t, bool) {}

#endif

}  // namespace mlx_cpu
