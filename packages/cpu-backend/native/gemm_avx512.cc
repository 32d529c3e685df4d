#include "gemm_avx512.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <type_traits>
#include <vector>

#include "parallel.h"

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define MLX_TS_GEMM_AVX512 1
#include <immintrin.h>
#endif

namespace mlx_cpu {

#ifdef MLX_TS_GEMM_AVX512

namespace {

constexpr int kMR = 6, kNR = 16;  // the packed panels' heights and widths (matmul.cc's Blocking<float>)

// Writes (or adds) an R x (16 * PB) tile of accumulators to c[0:m, 0:n], masked at the edges.
template <int R, int PB>
__attribute__((target("avx512f"))) inline void store_tile(const __m512 (&acc)[R][PB], float* c, int64_t ldc, int m,
                                                          int n, bool accumulate) {
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
  store_tile<R, PB>(acc, c, ldc, m, n, accumulate);
}

// As kernel, with A read in place: row i of the tile at a + i * lda, unit column stride (rows past
// m repeat row 0; their results are dropped). R rows times 16 * PB columns.
template <int R, int PB>
__attribute__((target("avx512f"))) void kernel_direct(int64_t kc, const float* a, int64_t lda, const float* b,
                                                      int64_t b_next, float* c, int64_t ldc, int m, int n,
                                                      bool accumulate) {
  const float* row[R];
  for (int i = 0; i < R; ++i) row[i] = a + (i < m ? i : 0) * lda;
  __m512 acc[R][PB];
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < PB; ++j) acc[i][j] = _mm512_setzero_ps();
  const float* b1 = b + b_next;
#pragma GCC unroll 2
  for (int64_t p = 0; p < kc; ++p) {
    __m512 bv[PB];
    bv[0] = _mm512_loadu_ps(b);
    if (PB == 2) bv[PB - 1] = _mm512_loadu_ps(b1);
    for (int i = 0; i < R; ++i) {
      const __m512 ai = _mm512_set1_ps(row[i][p]);
      for (int j = 0; j < PB; ++j) acc[i][j] = _mm512_fmadd_ps(ai, bv[j], acc[i][j]);
    }
    b += kNR;
    b1 += kNR;
  }
  store_tile<R, PB>(acc, c, ldc, m, n, accumulate);
}

template <int V>
using Int = std::integral_constant<int, V>;

// Walks an mc x nc block in tiles of 12 x 32 (6 rows or 16 columns at the edges), the B panel
// pair outermost so it stays in L1 while A streams past: tile(ir, jr, m, n, Int<PA>, Int<PB>)
// covers rows [ir, ir + m) and columns [jr, jr + n) with PA A panels and PB B panels.
template <class Tile>
inline void for_each_tile(int64_t mc, int64_t nc, Tile&& tile) {
  for (int64_t jr = 0; jr < nc; jr += 2 * kNR) {
    const int n = int(nc - jr < 2 * kNR ? nc - jr : 2 * kNR);
    for (int64_t ir = 0; ir < mc; ir += 2 * kMR) {
      const int m = int(mc - ir < 2 * kMR ? mc - ir : 2 * kMR);
      if (m > kMR) {
        if (n > kNR)
          tile(ir, jr, m, n, Int<2>{}, Int<2>{});
        else
          tile(ir, jr, m, n, Int<2>{}, Int<1>{});
      } else if (n > kNR) {
        tile(ir, jr, m, n, Int<1>{}, Int<2>{});
      } else {
        tile(ir, jr, m, n, Int<1>{}, Int<1>{});
      }
    }
  }
}

// bfloat16: the same tiles over k-pairs. A panels hold 6 rows x 2 k per pair (one 32-bit broadcast
// per row), B panels 16 columns x 2 k per pair (one zmm); vdpbf16ps adds both exact products
// to each float32 accumulator.
template <int PA, int PB>
__attribute__((target("avx512f,avx512bf16"))) void kernel_bf16(int64_t pairs, const uint16_t* a, int64_t a_next,
                                                               const uint16_t* b, int64_t b_next, float* c, int64_t ldc,
                                                               int m, int n, bool accumulate) {
  constexpr int R = kMR * PA;
  __m512 acc[R][PB];
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < PB; ++j) acc[i][j] = _mm512_setzero_ps();
  const uint16_t* a1 = a + a_next;
  const uint16_t* b1 = b + b_next;
#pragma GCC unroll 2
  for (int64_t p = 0; p < pairs; ++p) {
    _mm_prefetch(reinterpret_cast<const char*>(b + 8 * 2 * kNR), _MM_HINT_T0);
    if (PB == 2) _mm_prefetch(reinterpret_cast<const char*>(b1 + 8 * 2 * kNR), _MM_HINT_T0);
    __m512bh bv[PB];
    bv[0] = (__m512bh)_mm512_loadu_si512(b);
    if (PB == 2) bv[PB - 1] = (__m512bh)_mm512_loadu_si512(b1);
    for (int i = 0; i < R; ++i) {
      int32_t pair;
      std::memcpy(&pair, i < kMR ? a + 2 * i : a1 + 2 * (i - kMR), sizeof pair);
      const __m512bh ai = (__m512bh)_mm512_set1_epi32(pair);
      for (int j = 0; j < PB; ++j) acc[i][j] = _mm512_dpbf16_ps(acc[i][j], ai, bv[j]);
    }
    a += 2 * kMR;
    a1 += 2 * kMR;
    b += 2 * kNR;
    b1 += 2 * kNR;
  }
  store_tile<R, PB>(acc, c, ldc, m, n, accumulate);
}

// Rows [0, mc) x k-pairs [0, pairs) of A (k from k0, K in all) as 6-row pair panels, zero-padded.
void pack_a_bf16(int64_t mc, int64_t pairs, int64_t k0, int64_t K, const uint16_t* a, int64_t rs, int64_t cs,
                 uint16_t* out) {
  for (int64_t i0 = 0; i0 < mc; i0 += kMR) {
    for (int64_t p = 0; p < pairs; ++p) {
      for (int i = 0; i < kMR; ++i) {
        for (int t = 0; t < 2; ++t) {
          const int64_t k = k0 + 2 * p + t;
          *out++ = i0 + i < mc && k < K ? a[(i0 + i) * rs + k * cs] : uint16_t(0);
        }
      }
    }
  }
}

// k-pairs [0, pairs) (k from k0) x columns [0, nc) of B as 16-column pair panels, zero-padded.
void pack_b_bf16(int64_t pairs, int64_t nc, int64_t k0, int64_t K, const uint16_t* b, int64_t rs, int64_t cs,
                 uint16_t* out) {
  for (int64_t j0 = 0; j0 < nc; j0 += kNR) {
    for (int64_t p = 0; p < pairs; ++p) {
      for (int j = 0; j < kNR; ++j) {
        for (int t = 0; t < 2; ++t) {
          const int64_t k = k0 + 2 * p + t;
          *out++ = j0 + j < nc && k < K ? b[k * rs + (j0 + j) * cs] : uint16_t(0);
        }
      }
    }
  }
}

// Block sizes: a B pair panel of kPairs k-pairs (2 x 16 columns, 24 KB) stays in L1, an A block of
// kMC rows in L2, a B block of kNC columns in L3.
constexpr int64_t kPairs = 192, kMC = 144, kNC = 2048;

// c (M x N, row stride ldc) = a times b, one thread.
void gemm_bf16_range(int64_t M, int64_t N, int64_t K, const uint16_t* a, int64_t rsa, int64_t csa, const uint16_t* b,
                     int64_t rsb, int64_t csb, float* c, int64_t ldc) {
  const int64_t all_pairs = (K + 1) / 2;
  const int64_t slices = (all_pairs + kPairs - 1) / kPairs;
  const int64_t pairs_max = (all_pairs + slices - 1) / slices;
  const int64_t nc_max = std::min(kNC, N);
  std::vector<uint16_t> bpack(size_t(2 * pairs_max * ((nc_max + kNR - 1) / kNR * kNR)));
  std::vector<uint16_t> apack(size_t(2 * pairs_max * ((std::min(kMC, M) + kMR - 1) / kMR * kMR)));
  for (int64_t jc = 0; jc < N; jc += kNC) {
    const int64_t nc = std::min(kNC, N - jc);
    for (int64_t p0 = 0; p0 < all_pairs; p0 += pairs_max) {
      const int64_t pairs = std::min(pairs_max, all_pairs - p0);
      pack_b_bf16(pairs, nc, 2 * p0, K, b + jc * csb, rsb, csb, bpack.data());
      for (int64_t ic = 0; ic < M; ic += kMC) {
        const int64_t mc = std::min(kMC, M - ic);
        pack_a_bf16(mc, pairs, 2 * p0, K, a + ic * rsa, rsa, csa, apack.data());
        const int64_t a_next = 2 * kMR * pairs, b_next = 2 * kNR * pairs;
        for_each_tile(mc, nc, [&](int64_t ir, int64_t jr, int m, int n, auto pa, auto pb) {
          kernel_bf16<decltype(pa)::value, decltype(pb)::value>(pairs, apack.data() + ir * 2 * pairs, a_next,
                                                                bpack.data() + jr * 2 * pairs, b_next,
                                                                c + (ic + ir) * ldc + jc + jr, ldc, m, n, p0 > 0);
        });
      }
    }
  }
}

bool detect_bf16() {
  if (!gemm_avx512_enabled()) return false;
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512bf16");
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
  for_each_tile(mc, nc, [&](int64_t ir, int64_t jr, int m, int n, auto pa, auto pb) {
    kernel<decltype(pa)::value, decltype(pb)::value>(kc, a + ir * kc, a_next, b + jr * kc, b_next, c + ir * ldc + jr,
                                                     ldc, m, n, accumulate);
  });
}

void gemm_avx512_block_direct(int64_t kc, const float* a, int64_t lda, int64_t mc, const float* b, int64_t nc, float* c,
                              int64_t ldc, bool accumulate) {
  for_each_tile(mc, nc, [&](int64_t ir, int64_t jr, int m, int n, auto pa, auto pb) {
    kernel_direct<kMR* decltype(pa)::value, decltype(pb)::value>(kc, a + ir * lda, lda, b + jr * kc, kNR * kc,
                                                                 c + ir * ldc + jr, ldc, m, n, accumulate);
  });
}

bool gemm_avx512_bf16_enabled() {
  static const bool on = detect_bf16();
  return on;
}

void gemm_avx512_bf16(int64_t M, int64_t N, int64_t K, const uint16_t* a, int64_t rsa, int64_t csa, const uint16_t* b,
                      int64_t rsb, int64_t csb, float* c) {
  if (K == 0) {
    std::fill(c, c + M * N, 0.0f);
    return;
  }
  // Column ranges of 512 or more, one whole GEMM per thread (as matmul.cc's large products).
  const int64_t strips = (N + 2 * kNR - 1) / (2 * kNR);
  const int64_t grain = 2.0 * double(M) * double(N) * double(K) < 3e7 ? strips : 512 / (2 * kNR);
  parallel_for(strips, grain, [&](int64_t s0, int64_t s1) {
    const int64_t j0 = s0 * 2 * kNR, j1 = std::min(N, s1 * 2 * kNR);
    gemm_bf16_range(M, j1 - j0, K, a, rsa, csa, b + j0 * csb, rsb, csb, c + j0, N);
  });
}

#else

bool gemm_avx512_enabled() { return false; }
bool gemm_avx512_bf16_enabled() { return false; }
void gemm_avx512_bf16(int64_t, int64_t, int64_t, const uint16_t*, int64_t, int64_t, const uint16_t*, int64_t, int64_t,
                      float*) {}
void gemm_avx512_block(int64_t, const float*, int64_t, const float*, int64_t, float*, int64_t, bool) {}
void gemm_avx512_block_direct(int64_t, const float*, int64_t, int64_t, const float*, int64_t, float*, int64_t, bool) {}

#endif

}  // namespace mlx_cpu
