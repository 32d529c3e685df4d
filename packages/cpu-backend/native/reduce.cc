// Reductions over axes (sum, prod, max, min; output keeps reduced axes as 1) and argmax/argmin.
#include <algorithm>
#include <vector>

#include "accumulate.h"
#include "kernels.h"
#include "parallel.h"
#include "strided.h"

namespace mlx_cpu {

namespace {

// Folds n elements (stride sx) into acc, in eight independent lanes so the loop pipelines and,
// for contiguous rows, vectorizes.
template <class T, class A, class F>
A fold_row(A acc, const T* x, int64_t n, int64_t sx, A identity, F op) {
  constexpr int kLanes = 8;
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

// Accumulates every input element into its output's slot, walking the input in its own row-major
// order; this keeps the reads sequential whichever axes are reduced.
template <class T, class A, class F>
void reduce_axes(const Step& s, const bool* reduced, A identity, F op) {
  const View& x = s.input(0);
  std::vector<A> acc(size_t(s.out.size), identity);
  int64_t acc_strides[kMaxDims];
  for (int d = 0; d < x.ndim; ++d) acc_strides[d] = reduced[d] ? 0 : s.out.strides[d];
  const T* xp = reinterpret_cast<const T*>(x.base);
  NdIter<2> it(x.ndim, x.shape, {acc_strides, x.strides}, {0, x.offset});
  // Chunks split the leading kept axes only, so no two chunks touch the same accumulator.
  int64_t lead = 1;
  for (int d = 0; d < x.ndim && !reduced[d]; ++d) lead *= x.shape[d];
  const int64_t per = lead > 0 ? it.size() / lead : 0;
  parallel_for(lead, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(per, 1)), [&](int64_t b, int64_t e) {
    it.for_range(b * per, e * per, [&](const int64_t* o, int64_t n, const int64_t* st) {
      A* a = acc.data() + o[0];
      const T* xo = xp + o[1];
      if (st[0] == 0) {
        *a = fold_row(*a, xo, n, st[1], identity, op);
      } else if (st[0] == 1 && st[1] == 1) {
        for (int64_t i = 0; i < n; ++i) a[i] = op(a[i], A(load(xo[i])));
      } else {
        for (int64_t i = 0; i < n; ++i) a[i * st[0]] = op(a[i * st[0]], A(load(xo[i * st[1]])));
      }
    });
  });
  T* y = s.out.at<T>();
  for (int64_t i = 0; i < s.out.size; ++i) y[i] = to<T>(acc[size_t(i)]);
}

template <class T>
void reduce_typed(const Step& s, const bool* reduced) {
  switch (s.op) {
    case Op::sum: return reduce_axes<T, accumulate_t<T>>(s, reduced, accumulate_t<T>(0), Sum{});
    case Op::prod: return reduce_axes<T, accumulate_t<T>>(s, reduced, accumulate_t<T>(1), Prod{});
    case Op::max: return reduce_axes<T, value_t<T>>(s, reduced, lowest<T>(), Max{});
    case Op::min: return reduce_axes<T, value_t<T>>(s, reduced, highest<T>(), Min{});
    default: throw Error("not a reduction");
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
  if (n == 0) return;  // the output stays zero
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
    if (s.op == Op::argmax) arg_reduce_typed<T, true>(s, axis);
    else arg_reduce_typed<T, false>(s, axis);
  });
}

}  // namespace mlx_cpu
