// concatenate and pad: both copy inputs into windows of a larger contiguous output.
#include <algorithm>
#include <cmath>

#include "kernels.h"
#include "parallel.h"
#include "strided.h"

namespace mlx_cpu {

void concatenate(const Step& s) {
  s.expect_params(1);
  if (s.nin < 1) throw Error("expected at least one input");
  const View& out = s.out;
  const int axis = normalize_axis(s.int_param(0), out.ndim);
  int64_t along = 0;
  for (int i = 0; i < s.nin; ++i) {
    const View& x = s.input(i);
    bool ok = x.ndim == out.ndim && x.dtype == out.dtype;
    for (int d = 0; ok && d < out.ndim; ++d) ok = d == axis || x.shape[d] == out.shape[d];
    if (!ok)
      throw Error("input " + std::to_string(i) + " (" + dtype_name(x.dtype) + " " + shape_string(x) +
                  ") does not fit the output (" + dtype_name(out.dtype) + " " + shape_string(out) + ")");
    along += x.shape[axis];
  }
  if (along != out.shape[axis]) throw Error("the inputs do not add up to the output along the axis");
  int64_t start = 0;
  for (int i = 0; i < s.nin; ++i) {
    copy_into(s.input(i), out.base, out.strides, start * out.strides[axis]);
    start += s.input(i).shape[axis];
  }
}

namespace {
int64_t window_elements(const int64_t* shape, int nd) {
  int64_t n = 1;
  for (int d = 0; d < nd; ++d) n *= shape[d];
  return n;
}
}  // namespace

void pad(const Step& s) {
  s.expect_inputs(1);
  const View& x = s.input(0);
  const View& out = s.out;
  const int nd = x.ndim;
  s.expect_params(2 * nd + 1);
  if (out.ndim != nd || out.dtype != x.dtype) throw Error("the output does not match the input's rank and dtype");
  // The window of x that lands inside the output (a negative pad crops).
  int64_t shape[kMaxDims];
  int64_t src_offset = x.offset, dst_offset = 0;
  bool empty = false;
  for (int d = 0; d < nd; ++d) {
    const int64_t low = s.int_param(d), high = s.int_param(nd + d);
    if (x.shape[d] + low + high != out.shape[d])
      throw Error("the output shape does not equal the input shape plus padding");
    const int64_t first = std::max<int64_t>(0, -low);
    const int64_t last = std::min<int64_t>(x.shape[d], out.shape[d] - low);
    shape[d] = std::max<int64_t>(0, last - first);
    empty = empty || shape[d] == 0;
    src_offset += first * x.strides[d];
    dst_offset += (first + low) * out.strides[d];
  }
  const double value = s.float_param(2 * nd);
  // The fill covers the whole output (outputs may come from the buffer cache unzeroed); the copy
  // then overwrites the window. Skipped when the window is the whole output.
  if ((empty || window_elements(shape, nd) != out.size) && out.dtype == Dt::C64) {
    const c64_t v{float(value), 0.0f};
    c64_t* y = out.at<c64_t>();
    parallel_for(out.size, kElementwiseGrain, [&](int64_t b, int64_t e) { std::fill(y + b, y + e, v); });
  } else if (empty || window_elements(shape, nd) != out.size) {
    dispatch_all(out.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T v = to<T>(value);
      T* y = out.at<T>();
      parallel_for(out.size, kElementwiseGrain, [&](int64_t b, int64_t e) { std::fill(y + b, y + e, v); });
    });
  }
  if (empty) return;
  View window = x;
  window.shape = shape;
  window.offset = src_offset;
  window.size = 1;
  for (int d = 0; d < nd; ++d) window.size *= shape[d];
  copy_into(window, out.base, out.strides, dst_offset);
}

}  // namespace mlx_cpu
