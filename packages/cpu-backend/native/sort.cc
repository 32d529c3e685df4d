// sort and argsort along an axis: ascending, stable, NaN last.
#include <algorithm>
#include <utility>
#include <vector>

#include "kernels.h"
#include "parallel.h"
#include "strided.h"

namespace mlx_cpu {

namespace {

// A strict weak order with every NaN equivalent and after every number (plain < is not one when
// NaNs are present, and std::sort may then run out of bounds).
template <class C>
bool nan_last_less(C a, C b) {
  if constexpr (std::is_floating_point_v<C>) return a < b || (b != b && a == a);
  else return a < b;
}

template <class T, bool kArgsort>
void sort_axis(const Step& s, int axis) {
  using C = value_t<T>;
  const View& x = s.input(0);
  const AxisSplit split(x, axis);
  const Dense dense(x);
  const T* xp = dense.data<T>();
  const int64_t n = split.n, inner = split.inner;
  const int64_t lines = split.outer * inner;
  parallel_for(lines, std::max<int64_t>(1, 4096 / std::max<int64_t>(n, 1)), [&](int64_t b, int64_t e) {
    std::vector<std::pair<C, uint32_t>> keyed;
    std::vector<T> values;
    for (int64_t line = b; line < e; ++line) {
      const int64_t start = (line / inner) * n * inner + line % inner;
      const T* in = xp + start;
      if constexpr (kArgsort) {
        keyed.resize(size_t(n));
        for (int64_t k = 0; k < n; ++k) keyed[size_t(k)] = {load(in[k * inner]), uint32_t(k)};
        // Ties broken by index: as stable as stable_sort, without its buffer.
        std::sort(keyed.begin(), keyed.end(), [](const auto& p, const auto& q) {
          if (nan_last_less(p.first, q.first)) return true;
          if (nan_last_less(q.first, p.first)) return false;
          return p.second < q.second;
        });
        uint32_t* out = s.out.at<uint32_t>() + start;
        for (int64_t k = 0; k < n; ++k) out[k * inner] = keyed[size_t(k)].second;
      } else {
        values.resize(size_t(n));
        for (int64_t k = 0; k < n; ++k) values[size_t(k)] = in[k * inner];
        const auto less = [](T p, T q) { return nan_last_less(load(p), load(q)); };
        // Equal integers are indistinguishable, so only floats (-0 and 0, NaN payloads) need stability.
        if constexpr (is_float_v<T>) std::stable_sort(values.begin(), values.end(), less);
        else std::sort(values.begin(), values.end(), less);
        T* out = s.out.at<T>() + start;
        for (int64_t k = 0; k < n; ++k) out[k * inner] = values[size_t(k)];
      }
    }
  });
}

}  // namespace

void sort(const Step& s) {
  s.expect_inputs(1);
  s.expect_params(1);
  const View& x = s.input(0);
  check_same_shape(x, s.out, "the input");
  const int axis = normalize_axis(s.int_param(0), x.ndim);
  const bool arg = s.op == Op::argsort;
  if (arg ? s.out.dtype != Dt::U32 : s.out.dtype != x.dtype) throw Error("unexpected output dtype");
  if (arg && x.shape[axis] > int64_t(UINT32_MAX) + 1) throw Error("the axis is too long for uint32 indices");
  dispatch_all(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if (arg) sort_axis<T, true>(s, axis);
    else sort_axis<T, false>(s, axis);
  });
}

}  // namespace mlx_cpu
