// Cumulative sum, product, max, min and log-sum-exp along an axis, forward or reversed, inclusive or exclusive.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "accumulate.h"
#include "functors.h"
#include "kernels.h"
#include "parallel.h"
#include "strided.h"

namespace mlx_cpu {

namespace {

// Walks the [outer, n, inner] form one axis position at a time, carrying a row of `inner`
// accumulators, so every read and write is sequential whichever axis is scanned.
template <class T, class A, class F>
void scan_axis(const Step& s, int axis, bool reverse, bool inclusive, A identity, F op) {
  const View& x = s.input(0);
  const AxisSplit split(x, axis);
  const Dense dense(x);
  const T* xp = dense.data<T>();
  T* y = s.out.at<T>();
  const int64_t n = split.n, inner = split.inner;
  parallel_for(split.outer, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(n * inner, 1)),
               [&](int64_t b, int64_t e) {
                 if (inner == 1) {
                   // Scanning the innermost axis: one accumulator in a register.
                   for (int64_t o = b; o < e; ++o) {
                     const T* xr = xp + o * n;
                     T* yr = y + o * n;
                     A acc = identity;
                     for (int64_t step = 0; step < n; ++step) {
                       const int64_t k = reverse ? n - 1 - step : step;
                       const A v = A(load(xr[k]));
                       if (inclusive) acc = op(acc, v);
                       yr[k] = to<T>(acc);
                       if (!inclusive) acc = op(acc, v);
                     }
                   }
                   return;
                 }
                 std::vector<A> acc(static_cast<size_t>(inner));
                 for (int64_t o = b; o < e; ++o) {
                   std::fill(acc.begin(), acc.end(), identity);
                   for (int64_t step = 0; step < n; ++step) {
                     const int64_t k = reverse ? n - 1 - step : step;
                     const T* xr = xp + (o * n + k) * inner;
                     T* yr = y + (o * n + k) * inner;
                     for (int64_t j = 0; j < inner; ++j) {
                       const A v = A(load(xr[j]));
                       if (inclusive) {
                         acc[size_t(j)] = op(acc[size_t(j)], v);
                         yr[j] = to<T>(acc[size_t(j)]);
                       } else {
                         yr[j] = to<T>(acc[size_t(j)]);
                         acc[size_t(j)] = op(acc[size_t(j)], v);
                       }
                     }
                   }
                 }
               });
}

// log(exp(a) + exp(b)) without overflow: the larger term is factored out, and an infinite term
// (or an empty prefix, -inf) is returned as is so that -inf + inf never makes a NaN of its own.
struct LogAddExp {
  double operator()(double a, double b) const {
    if (std::isnan(a) || std::isnan(b)) return a + b;
    const double hi = std::max(a, b), lo = std::min(a, b);
    if (lo == -std::numeric_limits<double>::infinity() || hi == std::numeric_limits<double>::infinity()) return hi;
    return hi + std::log1p(std::exp(lo - hi));
  }
};

template <class T>
void scan_typed(const Step& s, int axis, bool reverse, bool inclusive) {
  switch (s.op) {
    case Op::cumsum:
      return scan_axis<T, accumulate_t<T>>(s, axis, reverse, inclusive, accumulate_t<T>(0), fn::Add{});
    case Op::cumprod:
      return scan_axis<T, accumulate_t<T>>(s, axis, reverse, inclusive, accumulate_t<T>(1), fn::Multiply{});
    case Op::cummax:
      return scan_axis<T, value_t<T>>(s, axis, reverse, inclusive, lowest<T>(), fn::Maximum{});
    case Op::cummin:
      return scan_axis<T, value_t<T>>(s, axis, reverse, inclusive, highest<T>(), fn::Minimum{});
    case Op::logcumsumexp:
      // Floats only (ops cast integers to float32); float sums of exponentials accumulate in float64.
      if constexpr (is_float_v<T>) {
        return scan_axis<T, double>(s, axis, reverse, inclusive, -std::numeric_limits<double>::infinity(), LogAddExp{});
      } else {
        throw Error(std::string("logcumsumexp needs a floating input, got ") + dtype_name(s.input(0).dtype));
      }
    default:
      throw Error("not a scan");
  }
}

}  // namespace

void scan(const Step& s) {
  s.expect_inputs(1);
  s.expect_params(3);
  const View& x = s.input(0);
  check_same_shape(x, s.out, "the input");
  if (x.dtype != s.out.dtype) throw Error("the input and output dtypes differ");
  const int axis = normalize_axis(s.int_param(0), x.ndim);
  const bool reverse = s.int_param(1) != 0;
  const bool inclusive = s.int_param(2) != 0;
  dispatch_all(x.dtype, [&](auto tag) { scan_typed<typename decltype(tag)::type>(s, axis, reverse, inclusive); });
}

}  // namespace mlx_cpu
