// quantizedMatmul: x [..., K] times a matrix stored in MLX's affine quantization, straight from the
// packed words (the whole matrix is never dequantized). Every row of w is a little-endian bit stream
// of `bits`-bit codes, so 8 consecutive codes always fill exactly `bits` bytes: a chunk of 8 is
// read as one word and split by a vector shift, whatever the width (3 and 6 bits straddle 32-bit
// words and need no special case). Accumulation is in float32 (float64 for float64 inputs);
// float16/bfloat16 round once on store.
//
// transpose (w [N, K*bits/32], the layout of nn.QuantizedLinear): each output column is a dot of x
// with one row of w. Per group, sum_k x_k (s q_k + b) = s sum_k x_k q_k + b sum_k x_k, so the codes
// meet x in one multiply-add each and the group sums of x are computed once per row of x. Threads
// split the columns; at batch 1 the kernel streams the packed matrix once, which is what makes it
// memory-bound at a quarter (4 bits) of the float32 matrix's bytes.
// not transposed (w [K, N*bits/32]): threads split the column groups; each row k of a group is
// dequantized once into a small buffer and added, times x[r, k], into every row's accumulators.
#include <algorithm>
#include <cstring>
#include <type_traits>
#include <vector>

#include "kernels.h"
#include "parallel.h"
#include "scratch.h"
#include "strided.h"

namespace mlx_cpu {

namespace {

typedef uint64_t vu64x8 __attribute__((vector_size(64)));
typedef uint32_t vu32x8 __attribute__((vector_size(32)));
typedef int32_t vi32x8 __attribute__((vector_size(32)));

typedef float vf32x8 __attribute__((vector_size(32)));
typedef double vf64x8 __attribute__((vector_size(64)));
template <class A>
using Vec8 = std::conditional_t<std::is_same_v<A, double>, vf64x8, vf32x8>;

// The 8 codes of chunk `c` of a bit stream (byte `c * bits`), as A. Codes that fit one 32-bit word
// (2, 3, 4 bits) split with 32-bit lanes, the rest (5, 6, 8) with 64-bit ones.
template <int Bits, class A>
inline Vec8<A> codes8(const uint8_t* stream, int64_t c) {
  if constexpr (Bits * 8 <= 32) {
    uint32_t word = 0;
    std::memcpy(&word, stream + c * Bits, Bits);
    const vu32x8 shifts = {0 * Bits, 1 * Bits, 2 * Bits, 3 * Bits, 4 * Bits, 5 * Bits, 6 * Bits, 7 * Bits};
    const vu32x8 v = (vu32x8{} + word) >> shifts & uint32_t((1u << Bits) - 1);
    return __builtin_convertvector(__builtin_convertvector(v, vi32x8), Vec8<A>);
  } else {
    uint64_t word = 0;
    std::memcpy(&word, stream + c * Bits, Bits);
    const vu64x8 shifts = {0 * Bits, 1 * Bits, 2 * Bits, 3 * Bits, 4 * Bits, 5 * Bits, 6 * Bits, 7 * Bits};
    const vu64x8 v = (vu64x8{} + word) >> shifts & uint64_t((1u << Bits) - 1);
    return __builtin_convertvector(__builtin_convertvector(v, vi32x8), Vec8<A>);
  }
}

template <class A>
inline A hsum(Vec8<A> v) {
  return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));
}

template <class A>
inline Vec8<A> load8(const A* p) {
  Vec8<A> v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <class A>
inline void store8(A* p, Vec8<A> v) {
  std::memcpy(p, &v, sizeof v);
}

// A view's elements as a contiguous row-major array of A.
template <class A>
Scratch<A> as_compute(const View& v) {
  Scratch<A> out(size_t(std::max<int64_t>(v.size, 1)));
  dispatch_float(v.dtype, "quantizedMatmul", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const Dense dense(v);
    const T* p = dense.data<T>();
    for (int64_t i = 0; i < v.size; ++i) out.get()[i] = A(load(p[i]));
  });
  return out;
}

template <int Bits, class A, class T>
void qmm_transposed(const A* x, const uint8_t* w, const A* scales, const A* biases, T* out, int64_t M, int64_t N,
                    int64_t K, int64_t gs) {
  const int64_t groups = K / gs, row_bytes = K * Bits / 8, chunks = gs / 8;
  // Per row of x, the sum of each group of its elements.
  std::vector<A> xsum(size_t(M * groups));
  for (int64_t r = 0; r < M; ++r)
    for (int64_t g = 0; g < groups; ++g) {
      Vec8<A> acc{};
      for (int64_t c = 0; c < chunks; ++c) acc += load8<A>(x + r * K + g * gs + c * 8);
      xsum[size_t(r * groups + g)] = hsum<A>(acc);
    }
  parallel_for(N, 16, [&](int64_t n0, int64_t n1) {
    for (int64_t n = n0; n < n1; ++n) {
      const uint8_t* row = w + n * row_bytes;
      for (int64_t r = 0; r < M; ++r) {
        const A* xr = x + r * K;
        A total = 0;
        for (int64_t g = 0; g < groups; ++g) {
          Vec8<A> acc{};
          for (int64_t c = 0; c < chunks; ++c) {
            const int64_t at = g * chunks + c;
            acc += load8<A>(xr + at * 8) * codes8<Bits, A>(row, at);
          }
          total += scales[n * groups + g] * hsum<A>(acc) + biases[n * groups + g] * xsum[size_t(r * groups + g)];
        }
        out[r * N + n] = to<T>(total);
      }
    }
  });
}

template <int Bits, class A, class T>
void qmm_plain(const A* x, const uint8_t* w, const A* scales, const A* biases, T* out, int64_t M, int64_t N, int64_t K,
               int64_t gs) {
  const int64_t groups = N / gs, row_bytes = N * Bits / 8, chunks = gs / 8;
  parallel_for(groups, 1, [&](int64_t g0, int64_t g1) {
    std::vector<A> acc(size_t(M * gs));
    std::vector<A> deq(size_t(gs), A(0));
    for (int64_t g = g0; g < g1; ++g) {
      std::fill(acc.begin(), acc.end(), A(0));
      for (int64_t k = 0; k < K; ++k) {
        const A s = scales[k * groups + g], b = biases[k * groups + g];
        for (int64_t c = 0; c < chunks; ++c)
          store8<A>(deq.data() + c * 8, codes8<Bits, A>(w + k * row_bytes, g * chunks + c) * s + b);
        for (int64_t r = 0; r < M; ++r) {
          const A xk = x[r * K + k];
          A* a = acc.data() + r * gs;
          for (int64_t c = 0; c < chunks; ++c)
            store8<A>(a + c * 8, load8<A>(a + c * 8) + load8<A>(deq.data() + c * 8) * xk);
        }
      }
      for (int64_t r = 0; r < M; ++r)
        for (int64_t j = 0; j < gs; ++j) out[r * N + g * gs + j] = to<T>(acc[size_t(r * gs + j)]);
    }
  });
}

template <class A, class T>
void run(const Step& s, int64_t gs, int bits, bool transpose, int64_t M, int64_t N, int64_t K) {
  const Scratch<A> x = as_compute<A>(s.input(0));
  const Scratch<A> scales = as_compute<A>(s.input(2));
  const Scratch<A> biases = as_compute<A>(s.input(3));
  const Dense w(s.input(1));
  const uint8_t* wp = w.data<uint8_t>();
  T* out = s.out.at<T>();
  auto go = [&](auto bits_tag) {
    constexpr int B = decltype(bits_tag)::value;
    if (transpose)
      qmm_transposed<B, A, T>(x.get(), wp, scales.get(), biases.get(), out, M, N, K, gs);
    else
      qmm_plain<B, A, T>(x.get(), wp, scales.get(), biases.get(), out, M, N, K, gs);
  };
  switch (bits) {
    case 2:
      return go(std::integral_constant<int, 2>{});
    case 3:
      return go(std::integral_constant<int, 3>{});
    case 4:
      return go(std::integral_constant<int, 4>{});
    case 5:
      return go(std::integral_constant<int, 5>{});
    case 6:
      return go(std::integral_constant<int, 6>{});
    case 8:
      return go(std::integral_constant<int, 8>{});
  }
  throw Error("bits must be 2, 3, 4, 5, 6 or 8");
}

}  // namespace

void quantized_matmul(const Step& s) {
  s.expect_inputs(4);
  s.expect_params(3);
  const int64_t gs = s.int_param(0);
  const int64_t bits = s.int_param(1);
  const bool transpose = s.int_param(2) != 0;
  if (gs != 32 && gs != 64 && gs != 128) throw Error("the group size must be 32, 64 or 128");
  if (bits < 2 || bits > 8 || bits == 7) throw Error("bits must be 2, 3, 4, 5, 6 or 8");
  const View &x = s.input(0), &w = s.input(1), &sc = s.input(2), &bi = s.input(3);
  if (x.ndim < 1 || w.ndim != 2 || sc.ndim != 2 || bi.ndim != 2) throw Error("unexpected input ranks");
  if (w.dtype != Dt::U32) throw Error("the packed matrix must be uint32");
  if (x.dtype != sc.dtype || x.dtype != bi.dtype || s.out.dtype != x.dtype) throw Error("unexpected dtypes");
  const int64_t K = x.shape[x.ndim - 1];
  const int64_t unpacked = w.shape[1] * 32 / bits;
  const int64_t N = transpose ? w.shape[0] : unpacked;
  if ((transpose ? unpacked : w.shape[0]) != K) throw Error("the packed matrix does not match x's last axis");
  const int64_t rows = transpose ? N : K, cols = transpose ? K : N;
  if (w.shape[1] * 32 % bits != 0 || cols % gs != 0) throw Error("the packed matrix does not match the group size");
  for (const View* v : {&sc, &bi})
    if (v->shape[0] != rows || v->shape[1] != cols / gs) throw Error("scales or biases do not match the matrix");
  if (s.out.ndim != x.ndim || s.out.shape[s.out.ndim - 1] != N) throw Error("unexpected output shape");
  for (int d = 0; d + 1 < x.ndim; ++d)
    if (s.out.shape[d] != x.shape[d]) throw Error("unexpected output shape");
  if (s.out.size == 0) return;
  const int64_t M = s.out.size / N;
  dispatch_float(x.dtype, "quantizedMatmul", [&](auto tag) {
    using T = typename decltype(tag)::type;
    using A = std::conditional_t<std::is_same_v<T, double>, double, float>;
    run<A, T>(s, gs, int(bits), transpose, M, N, K);
  });
}

}  // namespace mlx_cpu
