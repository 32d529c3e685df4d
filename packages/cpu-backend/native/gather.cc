// gather (take), gatherAxis (takeAlongAxis) and their inverses scatter and scatterAxis. Index
// inputs may be any integer dtype; a negative index wraps once, then indices clamp into range.
#include <cstring>
#include <vector>

#include "arith.h"
#include "kernels.h"
#include "parallel.h"
#include "strided.h"

namespace mlx_cpu {

namespace {

enum class ScatterMode { set, add, multiply, maximum, minimum };

// The view's indices in row-major order, wrapped and clamped for an axis of length n.
std::vector<int64_t> load_indices(const View& idx, int64_t n) {
  std::vector<int64_t> out(size_t(idx.size));
  if (idx.size == 0) return out;
  if (n == 0) throw Error("cannot take indices along an axis of length 0");
  int64_t strides[kMaxDims];
  int64_t stride = 1;
  for (int d = idx.ndim - 1; d >= 0; --d) strides[d] = stride, stride *= idx.shape[d];
  dispatch_int(idx.dtype, "indices", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* ip = reinterpret_cast<const T*>(idx.base);
    int64_t* op = out.data();
    NdIter<2> it(idx.ndim, idx.shape, {strides, idx.strides}, {0, idx.offset});
    it.for_all([&](const int64_t* o, int64_t count, const int64_t* st) {
      for (int64_t i = 0; i < count; ++i) {
        int64_t v = int64_t(ip[o[1] + i * st[1]]);
        if (v < 0) v += n;
        op[o[0] + i] = v < 0 ? 0 : v >= n ? n - 1 : v;
      }
    });
  });
  return out;
}

// Checks that `shape` is a's shape with the axis replaced by `middle`.
void check_axis_shape(const View& v, const View& a, int axis, const View& middle, int middle_start, const char* what) {
  bool ok = v.ndim == a.ndim - 1 + middle.ndim;
  for (int d = 0; ok && d < v.ndim; ++d) {
    if (d < axis)
      ok = v.shape[d] == a.shape[d];
    else if (d < axis + middle.ndim)
      ok = v.shape[d] == middle.shape[d - axis + middle_start];
    else
      ok = v.shape[d] == a.shape[d - middle.ndim + 1];
  }
  if (!ok)
    throw Error(std::string(what) + " has shape " + shape_string(v) + ", which does not match the input " +
                shape_string(a) + " and indices " + shape_string(middle));
}

// Checks that idx has a's shape except along the axis (gatherAxis, scatterAxis).
void check_along_axis(const View& idx, const View& a, int axis) {
  bool ok = idx.ndim == a.ndim;
  for (int d = 0; ok && d < a.ndim; ++d) ok = d == axis || idx.shape[d] == a.shape[d];
  if (!ok)
    throw Error("indices of shape " + shape_string(idx) + " do not match the input " + shape_string(a) +
                " outside the axis");
}

template <class T>
struct Combine {
  ScatterMode mode;
  void operator()(T& dst, T src) const {
    using C = value_t<T>;
    const C a = load(dst), b = load(src);
    switch (mode) {
      case ScatterMode::add:
        dst = to<T>(add(a, b));
        break;
      case ScatterMode::multiply:
        dst = to<T>(mul(a, b));
        break;
      case ScatterMode::maximum:
        dst = to<T>(nan_max(a, b));
        break;
      case ScatterMode::minimum:
        dst = to<T>(nan_min(a, b));
        break;
      case ScatterMode::set:
        dst = src;
        break;
    }
  }
};

// out[o, index(o, m, i), i] (combined with) upd[o, m, i], in row-major order of upd, so that with
// duplicate indices the last update wins for `set`.
template <class T, class Index, class F>
void scatter_rows(T* out, const T* upd, int64_t outer, int64_t m, int64_t inner, int64_t n, Index index, F combine) {
  // Two updates may land on one element only within one o, so chunks over o are independent.
  parallel_for(outer, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(m * inner, 1)),
               [&](int64_t b, int64_t e) {
                 for (int64_t o = b; o < e; ++o) {
                   for (int64_t k = 0; k < m; ++k) {
                     const T* u = upd + (o * m + k) * inner;
                     for (int64_t i = 0; i < inner; ++i) combine(out[(o * n + index(o, k, i)) * inner + i], u[i]);
                   }
                 }
               });
}

template <class Index>
void scatter_into(const Step& s, ScatterMode mode, const AxisSplit& split, int64_t m, Index index) {
  const View& a = s.input(0);
  const View& upd = s.input(2);
  copy_into(a, s.out.base, s.out.strides, 0);
  const Dense updates(upd);
  if (mode == ScatterMode::set) {
    dispatch_width(a.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      scatter_rows(s.out.at<T>(), updates.data<T>(), split.outer, m, split.inner, split.n, index,
                   [](T& dst, T src) { dst = src; });
    });
  } else {
    dispatch_all(a.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      scatter_rows(s.out.at<T>(), updates.data<T>(), split.outer, m, split.inner, split.n, index, Combine<T>{mode});
    });
  }
}

ScatterMode scatter_mode(const Step& s) {
  const int64_t mode = s.int_param(1);
  if (mode < 0 || mode > int64_t(ScatterMode::minimum)) throw Error("unknown scatter mode " + std::to_string(mode));
  return ScatterMode(mode);
}

}  // namespace

void gather(const Step& s) {
  s.expect_inputs(2);
  s.expect_params(1);
  const View& a = s.input(0);
  const View& idx = s.input(1);
  const int axis = normalize_axis(s.int_param(0), a.ndim);
  check_axis_shape(s.out, a, axis, idx, 0, "the output");
  if (s.out.dtype != a.dtype) throw Error("the input and output dtypes differ");
  const AxisSplit split(a, axis);
  if (s.out.size == 0) return;
  const std::vector<int64_t> index = load_indices(idx, split.n);
  const Dense src(a);
  const int64_t m = idx.size, inner = split.inner, n = split.n;
  const size_t w = size_t(itemsize(a.dtype));
  const char* from = src.data<char>();
  char* to = s.out.base;
  parallel_for(split.outer * m, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(inner, 1)),
               [&](int64_t b, int64_t e) {
                 for (int64_t r = b; r < e; ++r) {
                   const int64_t o = r / m, k = r % m;
                   std::memcpy(to + size_t(r * inner) * w, from + size_t((o * n + index[size_t(k)]) * inner) * w,
                               size_t(inner) * w);
                 }
               });
}

void gather_axis(const Step& s) {
  s.expect_inputs(2);
  s.expect_params(1);
  const View& a = s.input(0);
  const View& idx = s.input(1);
  const int axis = normalize_axis(s.int_param(0), a.ndim);
  check_along_axis(idx, a, axis);
  check_same_shape(s.out, idx, "the output");
  if (s.out.dtype != a.dtype) throw Error("the input and output dtypes differ");
  const AxisSplit split(a, axis);
  if (s.out.size == 0) return;
  const std::vector<int64_t> index = load_indices(idx, split.n);
  const Dense src(a);
  const int64_t m = idx.shape[axis], inner = split.inner, n = split.n;
  dispatch_width(a.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* from = src.data<T>();
    T* y = s.out.at<T>();
    parallel_for(split.outer, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(m * inner, 1)),
                 [&](int64_t b, int64_t e) {
                   for (int64_t o = b; o < e; ++o) {
                     for (int64_t k = 0; k < m; ++k) {
                       const int64_t r = (o * m + k) * inner;
                       for (int64_t i = 0; i < inner; ++i) y[r + i] = from[(o * n + index[size_t(r + i)]) * inner + i];
                     }
                   }
                 });
  });
}

void scatter(const Step& s) {
  s.expect_inputs(3);
  s.expect_params(2);
  const View& a = s.input(0);
  const View& idx = s.input(1);
  const View& upd = s.input(2);
  const int axis = normalize_axis(s.int_param(0), a.ndim);
  const ScatterMode mode = scatter_mode(s);
  check_same_shape(s.out, a, "the output");
  check_axis_shape(upd, a, axis, idx, 0, "the updates");
  if (a.dtype != s.out.dtype || upd.dtype != a.dtype) throw Error("the input, updates and output dtypes differ");
  const AxisSplit split(a, axis);
  const std::vector<int64_t> index = load_indices(idx, upd.size > 0 ? split.n : 1);
  scatter_into(s, mode, split, idx.size, [&](int64_t, int64_t k, int64_t) { return index[size_t(k)]; });
}

void scatter_axis(const Step& s) {
  s.expect_inputs(3);
  s.expect_params(2);
  const View& a = s.input(0);
  const View& idx = s.input(1);
  const View& upd = s.input(2);
  const int axis = normalize_axis(s.int_param(0), a.ndim);
  const ScatterMode mode = scatter_mode(s);
  check_same_shape(s.out, a, "the output");
  check_along_axis(idx, a, axis);
  check_same_shape(upd, idx, "the updates");
  if (a.dtype != s.out.dtype || upd.dtype != a.dtype) throw Error("the input, updates and output dtypes differ");
  const AxisSplit split(a, axis);
  const std::vector<int64_t> index = load_indices(idx, upd.size > 0 ? split.n : 1);
  const int64_t m = idx.shape[axis], inner = split.inner;
  scatter_into(s, mode, split, m,
               [&](int64_t o, int64_t k, int64_t i) { return index[size_t((o * m + k) * inner + i)]; });
}

}  // namespace mlx_cpu
