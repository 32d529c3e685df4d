// Reductions over axes (sum, prod, max, min; output keeps reduced axes as 1) and argmax/argmin.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <type_traits>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif
#include <vector>

#include "accumulate.h"
#include "functors.h"
#include "kernels.h"
#include "parallel.h"
#include "scratch.h"
#include "strided.h"

namespace mlx_cpu {

namespace {

// The float32 sum of a contiguous row, in float64 as every float sum is: eight independent
// 8-lane accumulators (64 elements per iteration; a 64-byte vector is one AVX-512 register, two
// AVX2 ones), so the adds' latency hides behind the loads and the loop runs at memory speed
// rather than at one add chain's pace. The generic fold below keeps 16 lanes, which GCC turns
// into two dependent chains; with 1e7 floats on Zen 4 that left the sum behind PyTorch's.
double sum_float_row(const float* x, int64_t n) {
#if defined(__AVX512F__)
  // vcvtps2pd zmm, m256 widens eight floats in one instruction; GCC's generic conversion of the
  // vector types below goes through 128-bit halves (three instructions), which made the loop
  // compute-bound at about 2.6 floats per cycle on Zen 4.
  // (The masked form with every lane set is the same instruction; the plain intrinsic's
  // undefined pass-through trips -Wmaybe-uninitialized.)
  const auto widen = [](const float* p) { return _mm512_maskz_cvtps_pd(__mmask8(0xff), _mm256_loadu_ps(p)); };
  __m512d acc[8];
  for (__m512d& a : acc) a = _mm512_setzero_pd();
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    for (int k = 0; k < 8; ++k) acc[k] = _mm512_add_pd(acc[k], widen(x + i + 8 * k));
  }
  for (; i + 8 <= n; i += 8) acc[0] = _mm512_add_pd(acc[0], widen(x + i));
  const __m512d t = _mm512_add_pd(_mm512_add_pd(_mm512_add_pd(acc[0], acc[1]), _mm512_add_pd(acc[2], acc[3])),
                                  _mm512_add_pd(_mm512_add_pd(acc[4], acc[5]), _mm512_add_pd(acc[6], acc[7])));
  alignas(64) double lanes[8];
  _mm512_store_pd(lanes, t);
  double sum = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
  for (; i < n; ++i) sum += double(x[i]);
  return sum;
#else
  typedef float f8 __attribute__((vector_size(32)));
  typedef double d8 __attribute__((vector_size(64)));
  constexpr int kAcc = 8;
  d8 acc[kAcc] = {};
  int64_t i = 0;
  for (; i + 8 * kAcc <= n; i += 8 * kAcc) {
    for (int k = 0; k < kAcc; ++k) {
      f8 v;
      std::memcpy(&v, x + i + 8 * k, sizeof v);  // an unaligned vector load
      acc[k] += __builtin_convertvector(v, d8);
    }
  }
  for (; i + 8 <= n; i += 8) {
    f8 v;
    std::memcpy(&v, x + i, sizeof v);
    acc[0] += __builtin_convertvector(v, d8);
  }
  const d8 t = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  double sum = ((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]));
  for (; i < n; ++i) sum += double(x[i]);
  return sum;
#endif
}

// Folds n elements (stride sx) into acc, in independent lanes (four 32-byte vectors' worth) so
// that the loop pipelines and, for contiguous rows, vectorizes.
template <class T, class A, class F>
A fold_row(A acc, const T* x, int64_t n, int64_t sx, A identity, F op) {
  if constexpr (std::is_same_v<T, float> && std::is_same_v<A, double> && std::is_same_v<F, fn::Add>) {
    if (sx == 1) return acc + sum_float_row(x, n);
  }
  constexpr int kLanes = std::max<int>(8, int(128 / sizeof(A)));
  A lane[kLanes];
  std::fill(lane, lane + kLanes, identity);
  int64_t i = 0;
  if (sx == 1) {
    for (; i + kLanes <= n; i += kLanes) {
      for (int k = 0; k < kLanes; ++k) lane[k] = op(lane[k], A(load(x[i + k])));
    }
  }
  for (; i < n; ++i) lane[0] = op(lane[0], A(load(x[i * sx])));
  for (int k = 0; k < kLanes; ++k) acc = op(acc, lane[k]);
  return acc;
}

// Accumulates the input elements with linear indices [begin, end) (in the order of `it`) into
// their accumulator slots.
template <class T, class A, class F>
void fold_range(const NdIter<2>& it, int64_t begin, int64_t end, A* acc, const T* xp, A identity, F op) {
  it.for_range(begin, end, [&](const int64_t* o, int64_t n, const int64_t* st) {
    A* a = acc + o[0];
    const T* xo = xp + o[1];
    if (st[0] == 0) {
      *a = fold_row(*a, xo, n, st[1], identity, op);
    } else if (st[0] == 1 && st[1] == 1) {
      for (int64_t i = 0; i < n; ++i) a[i] = op(a[i], A(load(xo[i])));
    } else {
      for (int64_t i = 0; i < n; ++i) a[i * st[0]] = op(a[i * st[0]], A(load(xo[i * st[1]])));
    }
  });
}

// Accumulates every input element into its output's slot, walking the input in its own row-major
// order; this keeps the reads sequential whichever axes are reduced. Threads split a kept axis
// (each then owns its accumulators), or, when every axis is reduced, the input into chunks with
// partial results combined in chunk order.
template <class T, class A, class F>
void reduce_axes(const Step& s, const bool* reduced, A identity, F op) {
  const View& x = s.input(0);
  const size_t outs = size_t(s.out.size);
  Scratch<A> acc(outs);
  std::fill(acc.get(), acc.get() + outs, identity);
  // Walk the input in its memory order (dimensions by decreasing stride), so that a transposed
  // input reads sequentially too; the accumulator strides follow the same permutation.
  const int nd = x.ndim;
  int perm[kMaxDims];
  for (int d = 0; d < nd; ++d) perm[d] = d;
  std::stable_sort(perm, perm + nd, [&](int p, int q) {
    const int64_t sp = x.shape[p] == 1 ? 0 : std::abs(x.strides[p]), sq = x.shape[q] == 1 ? 0 : std::abs(x.strides[q]);
    return sp > sq;
  });
  int64_t shape[kMaxDims], xs[kMaxDims], as[kMaxDims];
  bool red[kMaxDims];
  for (int d = 0; d < nd; ++d) {
    const int p = perm[d];
    shape[d] = x.shape[p];
    xs[d] = x.strides[p];
    red[d] = reduced[p];
    as[d] = reduced[p] ? 0 : s.out.strides[p];
  }
  const T* xp = reinterpret_cast<const T*>(x.base);
  // The outermost kept axis that is long enough to share out (else the longest kept axis).
  int split = -1;
  for (int d = 0; d < nd; ++d) {
    if (red[d] || shape[d] < 2) continue;
    if (split < 0 || (shape[split] < 2 * pool_threads() && shape[d] > shape[split])) split = d;
  }
  // Splitting an inner kept axis makes every thread read strided blocks; when the output is
  // small next to the input, split the whole (memory-ordered) range instead, one partial
  // accumulator array per chunk.
  NdIter<2> whole(nd, shape, {as, xs}, {0, x.offset});
  const int64_t chunks = chunk_count(whole.size(), kElementwiseGrain);
  const bool partials = split < 0 || (split > 0 && chunks > 1 && int64_t(outs) * chunks * 8 <= x.size);
  if (!partials) {
    const int64_t len = shape[split];
    const int64_t per = x.size / len;  // elements per index of the split axis
    parallel_for(len, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(per, 1)), [&](int64_t b, int64_t e) {
      int64_t sub[kMaxDims];
      std::copy(shape, shape + nd, sub);
      sub[split] = e - b;
      NdIter<2> it(nd, sub, {as, xs}, {b * as[split], x.offset + b * xs[split]});
      fold_range(it, 0, it.size(), acc.get(), xp, identity, op);
    });
  } else {
    if (chunks <= 1) {
      fold_range(whole, 0, whole.size(), acc.get(), xp, identity, op);
    } else {
      Scratch<A> partial(size_t(chunks) * outs);
      for_each_chunk(whole.size(), chunks, [&](int64_t c, int64_t b, int64_t e) {
        A* p = partial.get() + size_t(c) * outs;
        std::fill(p, p + outs, identity);
        fold_range(whole, b, e, p, xp, identity, op);
      });
      for (int64_t c = 0; c < chunks; ++c) {
        for (size_t i = 0; i < outs; ++i) acc[i] = op(acc[i], partial[size_t(c) * outs + i]);
      }
    }
  }
  T* y = s.out.at<T>();
  for (size_t i = 0; i < outs; ++i) y[i] = to<T>(acc[i]);
}

template <class T>
void reduce_typed(const Step& s, const bool* reduced) {
  switch (s.op) {
    case Op::sum:
      return reduce_axes<T, accumulate_t<T>>(s, reduced, accumulate_t<T>(0), fn::Add{});
    case Op::prod:
      return reduce_axes<T, accumulate_t<T>>(s, reduced, accumulate_t<T>(1), fn::Multiply{});
    case Op::max:
      return reduce_axes<T, value_t<T>>(s, reduced, lowest<T>(), fn::Maximum{});
    case Op::min:
      return reduce_axes<T, value_t<T>>(s, reduced, highest<T>(), fn::Minimum{});
    default:
      throw Error("not a reduction");
  }
}

void check_kept_shape(const View& x, const View& out, const bool* reduced) {
  bool ok = x.ndim == out.ndim;
  for (int d = 0; ok && d < x.ndim; ++d) ok = out.shape[d] == (reduced[d] ? 1 : x.shape[d]);
  if (!ok) throw Error("output shape " + shape_string(out) + " does not match input " + shape_string(x) + " reduced");
}

template <class T, bool kMax>
void arg_reduce_typed(const Step& s, int axis) {
  using C = value_t<T>;
  const View& x = s.input(0);
  const AxisSplit split(x, axis);
  const Dense dense(x);
  const T* xp = dense.data<T>();
  uint32_t* y = s.out.at<uint32_t>();
  const int64_t n = split.n, inner = split.inner;
  if (n == 0) {
    // An empty axis: every index is 0 (written out: outputs may come from the buffer cache unzeroed).
    std::fill(y, y + s.out.size, 0u);
    return;
  }
  parallel_for(split.outer, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(n * inner, 1)),
               [&](int64_t b, int64_t e) {
                 if (inner == 1) {
                   // Along the innermost axis: the running best stays in a register.
                   for (int64_t o = b; o < e; ++o) {
                     const T* line = xp + o * n;
                     C cur = load(line[0]);
                     uint32_t at = 0;
                     for (int64_t k = 1; k < n; ++k) {
                       const C v = load(line[k]);
                       if ((kMax ? v > cur : v < cur) || (v != v && cur == cur)) cur = v, at = uint32_t(k);
                     }
                     y[o] = at;
                   }
                   return;
                 }
                 std::vector<C> best(static_cast<size_t>(inner));
                 for (int64_t o = b; o < e; ++o) {
                   const T* line = xp + o * n * inner;
                   uint32_t* yo = y + o * inner;
                   for (int64_t j = 0; j < inner; ++j) best[size_t(j)] = load(line[j]), yo[j] = 0;
                   for (int64_t k = 1; k < n; ++k) {
                     for (int64_t j = 0; j < inner; ++j) {
                       const C v = load(line[k * inner + j]);
                       C& cur = best[size_t(j)];
                       // The first occurrence wins; NaN beats every number, and the first NaN stays.
                       const bool better = (kMax ? v > cur : v < cur) || (v != v && cur == cur);
                       if (better) cur = v, yo[j] = uint32_t(k);
                     }
                   }
                 }
               });
}

}  // namespace

void reduce(const Step& s) {
  s.expect_inputs(1);
  const View& x = s.input(0);
  if (x.dtype != s.out.dtype) throw Error("the input and output dtypes differ");
  bool reduced[kMaxDims] = {};
  for (int i = 0; i < s.nparams; ++i) {
    const int axis = normalize_axis(s.int_param(i), x.ndim);
    if (reduced[axis]) throw Error("axis " + std::to_string(axis) + " is repeated");
    reduced[axis] = true;
  }
  check_kept_shape(x, s.out, reduced);
  dispatch_all(x.dtype, [&](auto tag) { reduce_typed<typename decltype(tag)::type>(s, reduced); });
}

void arg_reduce(const Step& s) {
  s.expect_inputs(1);
  s.expect_params(1);
  const View& x = s.input(0);
  const int axis = normalize_axis(s.int_param(0), x.ndim);
  bool reduced[kMaxDims] = {};
  reduced[axis] = true;
  check_kept_shape(x, s.out, reduced);
  if (s.out.dtype != Dt::U32) throw Error("the output dtype must be uint32");
  if (x.shape[axis] > int64_t(UINT32_MAX) + 1) throw Error("the axis is too long for uint32 indices");
  dispatch_all(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if (s.op == Op::argmax)
      arg_reduce_typed<T, true>(s, axis);
    else
      arg_reduce_typed<T, false>(s, axis);
  });
}

}  // namespace mlx_cpu
