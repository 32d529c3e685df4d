// matmul: a [...B, M, K] @ b [...B, K, N] for floating dtypes, each batch a GEMM. The built-in GEMM
// follows the Goto/BLIS design: B is packed into KC x NC blocks, A into MC x KC blocks, and an
// MR x NR register-blocked micro-kernel multiplies packed panels. Packing reads any strides (so
// transposed, broadcast and reversed views cost nothing extra) and converts float16/bfloat16 to
// float32, in which they accumulate. Where the CPU has AVX-512, float32 panels go to
// gemm_avx512.h's wider kernels. A large product splits into column ranges, one whole GEMM per
// thread; a smaller one splits each KC slice into tiles of (MC rows) x (a run of NR-column
// panels), each packing its own A block against one shared packed B block. With a system BLAS
// (blas.h), float32/float64 go to its sgemm/dgemm when both operands have a unit stride. Many
// small products in a batch run one per thread instead.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

#include "blas.h"
#include "gemm.h"
#include "gemm_avx512.h"
#include "kernels.h"
#include "parallel.h"
#include "scratch.h"
#include "strided.h"

namespace mlx_cpu {

namespace {

typedef float vfloat8 __attribute__((vector_size(32)));
typedef double vdouble4 __attribute__((vector_size(32)));

// Block sizes per accumulation type: an NR-wide B panel of KC rows stays in L1, an MC x KC block
// of A in L2, and MR x NR accumulators fill the 16 vector registers of AVX2.
template <class A>
struct Blocking;
template <>
struct Blocking<float> {
  using Vec = vfloat8;
  static constexpr int kLanes = 8, MR = 6, NR = 16;
  static constexpr int64_t KC = 256, MC = 144, NC = 2048;
};
template <>
struct Blocking<double> {
  using Vec = vdouble4;
  static constexpr int kLanes = 4, MR = 6, NR = 8;
  static constexpr int64_t KC = 256, MC = 72, NC = 1024;
};

template <class V, class A>
inline V load_vec(const A* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <class V, class A>
inline void store_vec(A* p, V v) {
  std::memcpy(p, &v, sizeof v);
}

// Writes (or adds) a micro-kernel's MR x NR accumulators to c[0:m, 0:n]: whole vectors for a full
// tile, through a scratch tile at the edges.
template <class A>
inline void store_tile(const typename Blocking<A>::Vec (&acc)[Blocking<A>::MR][Blocking<A>::NR / Blocking<A>::kLanes],
                       A* c, int64_t ldc, int m, int n, bool accumulate) {
  using Bk = Blocking<A>;
  using V = typename Bk::Vec;
  constexpr int MR = Bk::MR, NR = Bk::NR, L = Bk::kLanes, NV = NR / L;
  if (m == MR && n == NR) {
    for (int i = 0; i < MR; ++i) {
      for (int j = 0; j < NV; ++j) {
        A* dst = c + i * ldc + j * L;
        store_vec(dst, accumulate ? acc[i][j] + load_vec<V>(dst) : acc[i][j]);
      }
    }
    return;
  }
  alignas(64) A tile[MR * NR];
  for (int i = 0; i < MR; ++i) {
    for (int j = 0; j < NV; ++j) store_vec(tile + i * NR + j * L, acc[i][j]);
  }
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) c[i * ldc + j] = accumulate ? c[i * ldc + j] + tile[i * NR + j] : tile[i * NR + j];
  }
}

// c[0:m, 0:n] = (or +=) the product of an MR-row panel of A and an NR-column panel of B, both
// packed k-major and zero-padded to full panels.
template <class A>
void micro_kernel(int64_t kc, const A* a, const A* b, A* c, int64_t ldc, int m, int n, bool accumulate) {
  using Bk = Blocking<A>;
  using V = typename Bk::Vec;
  constexpr int MR = Bk::MR, NR = Bk::NR, L = Bk::kLanes, NV = NR / L;
  V acc[MR][NV] = {};
#pragma GCC unroll 4
  for (int64_t p = 0; p < kc; ++p) {
    V bv[NV];
    for (int j = 0; j < NV; ++j) bv[j] = load_vec<V>(b + j * L);
    for (int i = 0; i < MR; ++i) {
      const A ai = a[i];
      for (int j = 0; j < NV; ++j) acc[i][j] += ai * bv[j];
    }
    a += MR;
    b += NR;
  }
  store_tile<A>(acc, c, ldc, m, n, accumulate);
}

// As micro_kernel, with A read in place: row i of the panel at a + i * lda (unit column stride;
// rows past m repeat row 0, their results dropped). For gemm_dense, whose A (a convolution's
// patches) sits in cache already: packing it would cost as much as the FMAs it feeds when N is small.
template <class A>
void micro_kernel_direct(int64_t kc, const A* a, int64_t lda, const A* b, A* c, int64_t ldc, int m, int n,
                         bool accumulate) {
  using Bk = Blocking<A>;
  using V = typename Bk::Vec;
  constexpr int MR = Bk::MR, NR = Bk::NR, L = Bk::kLanes, NV = NR / L;
  const A* row[MR];
  for (int i = 0; i < MR; ++i) row[i] = a + (i < m ? i : 0) * lda;
  V acc[MR][NV] = {};
#pragma GCC unroll 4
  for (int64_t p = 0; p < kc; ++p) {
    V bv[NV];
    for (int j = 0; j < NV; ++j) bv[j] = load_vec<V>(b + j * L);
    for (int i = 0; i < MR; ++i) {
      const A ai = row[i][p];
      for (int j = 0; j < NV; ++j) acc[i][j] += ai * bv[j];
    }
    b += NR;
  }
  store_tile<A>(acc, c, ldc, m, n, accumulate);
}

// Rows [0, mc) and columns [0, kc) of A as MR-row panels, k-major within a panel.
template <class T, class A>
void pack_a(int64_t mc, int64_t kc, const T* a, int64_t rs, int64_t cs, A* out) {
  constexpr int MR = Blocking<A>::MR;
  for (int64_t i0 = 0; i0 < mc; i0 += MR) {
    const int m = int(std::min<int64_t>(MR, mc - i0));
    if (rs == 1 && m == MR) {
      // A transposed in memory (a convolution's weight gradient): MR contiguous values per step.
      for (int64_t p = 0; p < kc; ++p) {
        const T* col = a + i0 + p * cs;
        for (int i = 0; i < MR; ++i) out[i] = A(load(col[i]));
        out += MR;
      }
      continue;
    }
    for (int64_t p = 0; p < kc; ++p) {
      const T* col = a + i0 * rs + p * cs;
      for (int i = 0; i < m; ++i) out[i] = A(load(col[i * rs]));
      for (int i = m; i < MR; ++i) out[i] = 0;
      out += MR;
    }
  }
}

// Rows [0, kc) and columns [0, nc) of B as NR-column panels, k-major within a panel.
template <class T, class A>
void pack_b(int64_t kc, int64_t nc, const T* b, int64_t rs, int64_t cs, A* out) {
  constexpr int NR = Blocking<A>::NR;
  for (int64_t j0 = 0; j0 < nc; j0 += NR) {
    const int n = int(std::min<int64_t>(NR, nc - j0));
    for (int64_t p = 0; p < kc; ++p) {
      const T* row = b + p * rs + j0 * cs;
      if (cs == 1) {
        for (int j = 0; j < n; ++j) out[j] = A(load(row[j]));
      } else {
        for (int j = 0; j < n; ++j) out[j] = A(load(row[j * cs]));
      }
      for (int j = n; j < NR; ++j) out[j] = 0;
      out += NR;
    }
  }
}

// float32 runs gemm_avx512.h's 12 x 32 kernels where the CPU has AVX-512, over the same packing.
template <class A>
bool avx512() {
  if constexpr (std::is_same_v<A, float>) {
    return gemm_avx512_enabled();
  } else {
    return false;
  }
}
template <class A>
void avx512_block(int64_t kc, const A* a, int64_t mc, const A* b, int64_t nc, A* c, int64_t ldc, bool accumulate) {
  if constexpr (std::is_same_v<A, float>) gemm_avx512_block(kc, a, mc, b, nc, c, ldc, accumulate);
}
// Their B pair (32 x KC floats, 24 KB) stays in a 32 KB L1 next to a few k-steps of the A pair.
constexpr int64_t kAvx512KC = 192;

// Products of at least this many flops with N >= kColumnSplit per thread split into column
// ranges of at least kColumnSplit, one whole GEMM each (see gemm).
constexpr double kColumnSplitFlops = 3e7;
constexpr int64_t kColumnSplit = 512;

// c (M x N, row-major, row stride ldc; N when 0) = a (M x K, strides rsa/csa) times b (K x N,
// strides rsb/csb).
template <class T, class A>
void gemm(int64_t M, int64_t N, int64_t K, const T* a, int64_t rsa, int64_t csa, const T* b, int64_t rsb, int64_t csb,
          A* c, bool accumulate = false, bool direct_a = false, int64_t ldc = 0) {
  using Bk = Blocking<A>;
  constexpr int MR = Bk::MR, NR = Bk::NR;
  if (ldc == 0) ldc = N;
  if (K == 0) {
    if (!accumulate)
      for (int64_t i = 0; i < M; ++i) std::fill(c + i * ldc, c + i * ldc + N, A(0));
    return;
  }
  // Inside a parallel region (a convolution's slabs, attention's blocks) this GEMM runs on one
  // thread: splitting it for more would only cut its register tiles in half.
  const int threads = in_parallel_region() ? 1 : pool_threads();
  if (threads > 1 && N >= threads * kColumnSplit && 2.0 * double(M) * double(N) * double(K) >= kColumnSplitFlops) {
    // A large product: each range of columns runs the whole GEMM alone, packing its own B and all
    // of A (a copy of A per range, small next to its flops at 512 columns or more): no thread
    // waits for another between k-slices, where the shared-B split below meets at a barrier
    // twice per slice, and whole ranges balance where MC-row blocks (1024 = 7 x 144 + 16) do not.
    const int64_t strips = N / (2 * NR);
    parallel_for(strips, std::max<int64_t>(1, kColumnSplit / (2 * NR)), [&](int64_t s0, int64_t s1) {
      const int64_t j0 = s0 * 2 * NR, j1 = s1 == strips ? N : s1 * 2 * NR;
      gemm<T, A>(M, j1 - j0, K, a, rsa, csa, b + j0 * csb, rsb, csb, c + j0, accumulate, direct_a, ldc);
    });
    return;
  }
  // K in equal slices of at most KC (288 = one slice of 288, not 256 + 32: a thin last slice
  // costs a full pass over C for little work).
  const bool wide = avx512<A>();
  const int64_t kc_top = wide ? kAvx512KC : Bk::KC;
  const int64_t kc_max = (K + (K + kc_top - 1) / kc_top - 1) / ((K + kc_top - 1) / kc_top);
  const int64_t nc_max = std::min(Bk::NC, N);
  Scratch<A> bpack{size_t(kc_max * ((nc_max + NR - 1) / NR * NR))};
  const int64_t m_blocks = (M + Bk::MC - 1) / Bk::MC;
  const int64_t a_block = std::min(Bk::MC, (M + MR - 1) / MR * MR) * kc_max;
  for (int64_t jc = 0; jc < N; jc += Bk::NC) {
    const int64_t nc = std::min(Bk::NC, N - jc);
    const int64_t panels = (nc + NR - 1) / NR;
    // Split the panels too when there are too few row blocks to keep every thread busy.
    const int64_t n_groups =
        threads > 1 && m_blocks < 2 * threads ? std::min<int64_t>(panels, (2 * threads + m_blocks - 1) / m_blocks) : 1;
    for (int64_t pc = 0; pc < K; pc += kc_max) {
      const int64_t kc = std::min(kc_max, K - pc);
      const double work = double(M) * double(nc) * double(kc);
      const T* bblock = b + pc * rsb + jc * csb;
      // Pack B panel by panel, in parallel when the block is large.
      parallel_for(panels, std::max<int64_t>(1, (int64_t(1) << 15) / std::max<int64_t>(kc * NR, 1)),
                   [&](int64_t p0, int64_t p1) {
                     pack_b(kc, std::min(nc, p1 * NR) - p0 * NR, bblock + p0 * NR * csb, rsb, csb,
                            bpack.get() + p0 * NR * kc);
                   });
      const auto tile = [&](int64_t first, int64_t last) {
        // A read in place needs no packing buffer.
        bool direct = false;
        if constexpr (std::is_same_v<T, A>) direct = direct_a && csa == 1;
        Scratch<A> apack{direct ? 0 : size_t(a_block)};
        int64_t packed = -1;
        for (int64_t t = first; t < last; ++t) {
          const int64_t blk = t / n_groups, group = t % n_groups;
          const int64_t ic = blk * Bk::MC;
          const int64_t mc = std::min(Bk::MC, M - ic);
          if (direct) {
            const int64_t j0 = panels * group / n_groups * NR, j1 = std::min(nc, panels * (group + 1) / n_groups * NR);
            if constexpr (std::is_same_v<A, float> && std::is_same_v<T, A>) {
              if (wide) {
                gemm_avx512_block_direct(kc, a + ic * rsa + pc, rsa, mc, bpack.get() + j0 * kc, j1 - j0,
                                         c + ic * ldc + jc + j0, ldc, accumulate || pc > 0);
                continue;
              }
            }
            for (int64_t jr = j0; jr < j1; jr += NR) {
              for (int64_t ir = 0; ir < mc; ir += MR) {
                if constexpr (std::is_same_v<T, A>) {
                  micro_kernel_direct(kc, a + (ic + ir) * rsa + pc, rsa, bpack.get() + jr * kc,
                                      c + (ic + ir) * ldc + jc + jr, ldc, int(std::min<int64_t>(MR, mc - ir)),
                                      int(std::min<int64_t>(NR, nc - jr)), accumulate || pc > 0);
                }
              }
            }
            continue;
          }
          if (packed != blk) {
            pack_a(mc, kc, a + ic * rsa + pc * csa, rsa, csa, apack.get());
            packed = blk;
          }
          const int64_t j0 = panels * group / n_groups * NR, j1 = std::min(nc, panels * (group + 1) / n_groups * NR);
          if (wide) {
            avx512_block(kc, apack.get(), mc, bpack.get() + j0 * kc, j1 - j0, c + ic * ldc + jc + j0, ldc,
                         accumulate || pc > 0);
            continue;
          }
          for (int64_t jr = j0; jr < j1; jr += NR) {
            for (int64_t ir = 0; ir < mc; ir += MR) {
              micro_kernel(kc, apack.get() + ir * kc, bpack.get() + jr * kc, c + (ic + ir) * ldc + jc + jr, ldc,
                           int(std::min<int64_t>(MR, mc - ir)), int(std::min<int64_t>(NR, nc - jr)),
                           accumulate || pc > 0);
            }
          }
        }
      };
      // Below ~2 MFLOP a slice is not worth waking a worker.
      if (work < double(1 << 20))
        tile(0, m_blocks * n_groups);
      else
        parallel_for(m_blocks * n_groups, 1, tile);
    }
  }
}

// Row-major BLAS takes an operand as is (unit column stride) or transposed (unit row stride).
bool blas_layout(int64_t rows, int64_t cols, int64_t rs, int64_t cs, bool* trans, int64_t* ld) {
  // The stride of a length-1 dimension is arbitrary; pick the one BLAS wants.
  if (cols <= 1) cs = 1;
  if (rows <= 1) rs = std::max<int64_t>(cols, 1);
  if (cs == 1 && rs >= std::max<int64_t>(cols, 1)) {
    *trans = false;
    *ld = rs;
    return true;
  }
  if (rs == 1 && cs >= std::max<int64_t>(rows, 1)) {
    *trans = true;
    *ld = cs;
    return true;
  }
  return false;
}

template <class T>
bool try_blas(int64_t M, int64_t N, int64_t K, const T* a, int64_t rsa, int64_t csa, const T* b, int64_t rsb,
              int64_t csb, T* c, bool accumulate = false) {
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    bool ta, tb;
    int64_t lda, ldb;
    if (K == 0) return false;
    if (!blas_layout(M, K, rsa, csa, &ta, &lda) || !blas_layout(K, N, rsb, csb, &tb, &ldb)) return false;
    return blas_gemm(ta, tb, M, N, K, a, lda, b, ldb, c, N, accumulate);
  } else {
    return false;
  }
}

template <class T>
void matmul_typed(const Step& s) {
  const View& a = s.input(0);
  const View& b = s.input(1);
  const View& out = s.out;
  const int nd = out.ndim;
  const int64_t M = a.shape[nd - 2], K = a.shape[nd - 1], N = b.shape[nd - 1];
  const int64_t rsa = a.strides[nd - 2], csa = a.strides[nd - 1];
  const int64_t rsb = b.strides[nd - 2], csb = b.strides[nd - 1];
  const T* ap = reinterpret_cast<const T*>(a.base);
  const T* bp = reinterpret_cast<const T*>(b.base);
  T* yp = out.at<T>();
  const auto one = [&](int64_t yo, int64_t ao, int64_t bo) {
    if constexpr (is_half_v<T>) {
      // float16/bfloat16 accumulate into a float32 copy of one batch's output, then round once.
      Scratch<float> scratch(size_t(M * N));
      if constexpr (std::is_same_v<T, bf16_t>) {
        if (gemm_avx512_bf16_enabled())
          gemm_avx512_bf16(M, N, K, reinterpret_cast<const uint16_t*>(ap + ao), rsa, csa,
                           reinterpret_cast<const uint16_t*>(bp + bo), rsb, csb, scratch.get());
        else
          gemm<T, float>(M, N, K, ap + ao, rsa, csa, bp + bo, rsb, csb, scratch.get());
      } else {
        gemm<T, float>(M, N, K, ap + ao, rsa, csa, bp + bo, rsb, csb, scratch.get());
      }
      for (int64_t i = 0; i < M * N; ++i) yp[yo + i] = to<T>(scratch[size_t(i)]);
    } else {
      if (try_blas(M, N, K, ap + ao, rsa, csa, bp + bo, rsb, csb, yp + yo)) return;
      gemm<T, T>(M, N, K, ap + ao, rsa, csa, bp + bo, rsb, csb, yp + yo);
    }
  };
  NdIter<3> batches(nd - 2, out.shape, {out.strides, a.strides, b.strides}, {0, a.offset, b.offset});
  const int64_t count = batches.size();
  const double flops = 2.0 * double(M) * double(N) * double(K);
  if (count > 1 && flops < 8e6) {
    // Many small products: one per thread at a time (each runs single-threaded inside).
    const int64_t grain = std::max<int64_t>(1, int64_t(2e6 / std::max(flops, 1.0)));
    parallel_for(count, grain, [&](int64_t first, int64_t last) {
      batches.for_range(first, last, [&](const int64_t* o, int64_t n, const int64_t* st) {
        for (int64_t i = 0; i < n; ++i) one(o[0] + i * st[0], o[1] + i * st[1], o[2] + i * st[2]);
      });
    });
    return;
  }
  batches.for_all([&](const int64_t* o, int64_t n, const int64_t* st) {
    for (int64_t i = 0; i < n; ++i) one(o[0] + i * st[0], o[1] + i * st[1], o[2] + i * st[2]);
  });
}

template <class T>
void gemm_dense_typed(int64_t M, int64_t N, int64_t K, const T* a, int64_t rsa, int64_t csa, const T* b, int64_t rsb,
                      int64_t csb, T* c, bool accumulate) {
  if (!try_blas(M, N, K, a, rsa, csa, b, rsb, csb, c, accumulate))
    gemm<T, T>(M, N, K, a, rsa, csa, b, rsb, csb, c, accumulate, true);
}

template <class A>
void gemm_packed_b_typed(int64_t M, int64_t N, int64_t K, const A* a, int64_t rsa, int64_t csa, const A* b, A* c,
                         bool accumulate) {
  using Bk = Blocking<A>;
  constexpr int MR = Bk::MR, NR = Bk::NR;
  static_assert(NR == gemm_nr<A>(), "gemm_nr must match the micro-kernel");
  if (M <= 0 || N <= 0) return;
  if (K == 0) {
    if (!accumulate) std::fill(c, c + M * N, A(0));
    return;
  }
  const bool direct = csa == 1;
  Scratch<A> apack(direct ? 0 : size_t(std::min(Bk::MC, (M + MR - 1) / MR * MR) * K));
  for (int64_t ic = 0; ic < M; ic += Bk::MC) {
    const int64_t mc = std::min(Bk::MC, M - ic);
    if (!direct) pack_a(mc, K, a + ic * rsa, rsa, csa, apack.get());
    if (avx512<A>()) {
      if constexpr (std::is_same_v<A, float>) {
        if (direct)
          gemm_avx512_block_direct(K, a + ic * rsa, rsa, mc, b, N, c + ic * N, N, accumulate);
        else
          avx512_block(K, apack.get(), mc, b, N, c + ic * N, N, accumulate);
      }
      continue;
    }
    for (int64_t jr = 0; jr < N; jr += NR) {
      for (int64_t ir = 0; ir < mc; ir += MR) {
        const int m = int(std::min<int64_t>(MR, mc - ir)), n = int(std::min<int64_t>(NR, N - jr));
        if (direct)
          micro_kernel_direct(K, a + (ic + ir) * rsa, rsa, b + jr * K, c + (ic + ir) * N + jr, N, m, n, accumulate);
        else
          micro_kernel(K, apack.get() + ir * K, b + jr * K, c + (ic + ir) * N + jr, N, m, n, accumulate);
      }
    }
  }
}

}  // namespace

void gemm_packed_b(int64_t M, int64_t N, int64_t K, const float* a, int64_t rsa, int64_t csa, const float* b, float* c,
                   bool accumulate) {
  gemm_packed_b_typed(M, N, K, a, rsa, csa, b, c, accumulate);
}
void gemm_packed_b(int64_t M, int64_t N, int64_t K, const double* a, int64_t rsa, int64_t csa, const double* b,
                   double* c, bool accumulate) {
  gemm_packed_b_typed(M, N, K, a, rsa, csa, b, c, accumulate);
}

void gemm_dense(int64_t M, int64_t N, int64_t K, const float* a, int64_t rsa, int64_t csa, const float* b, int64_t rsb,
                int64_t csb, float* c, bool accumulate) {
  gemm_dense_typed(M, N, K, a, rsa, csa, b, rsb, csb, c, accumulate);
}
void gemm_dense(int64_t M, int64_t N, int64_t K, const double* a, int64_t rsa, int64_t csa, const double* b,
                int64_t rsb, int64_t csb, double* c, bool accumulate) {
  gemm_dense_typed(M, N, K, a, rsa, csa, b, rsb, csb, c, accumulate);
}

void matmul(const Step& s) {
  s.expect_inputs(2);
  const View& a = s.input(0);
  const View& b = s.input(1);
  const View& out = s.out;
  const int nd = out.ndim;
  bool ok = nd >= 2 && a.ndim == nd && b.ndim == nd;
  for (int d = 0; ok && d < nd - 2; ++d) ok = a.shape[d] == out.shape[d] && b.shape[d] == out.shape[d];
  ok = ok && a.shape[nd - 1] == b.shape[nd - 2] && out.shape[nd - 2] == a.shape[nd - 2] &&
       out.shape[nd - 1] == b.shape[nd - 1];
  if (!ok) throw Error("cannot multiply " + shape_string(a) + " by " + shape_string(b) + " into " + shape_string(out));
  if (a.dtype != out.dtype || b.dtype != out.dtype) throw Error("the inputs and output must share one dtype");
  if (out.size == 0) return;
  dispatch_float(out.dtype, "matmul", [&](auto tag) { matmul_typed<typename decltype(tag)::type>(s); });
}

}  // namespace mlx_cpu
