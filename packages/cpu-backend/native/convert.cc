// astype (every dtype to every dtype, and the evaluator's same-dtype copies) and where.
#include <string>

#include "kernels.h"
#include "parallel.h"
#include "strided.h"

namespace mlx_cpu {

namespace {

template <class In, class Out>
void cast(const View& x, const View& out) {
  Out* y = out.at<Out>();
  const In* xp = reinterpret_cast<const In*>(x.base);
  NdIter<2> it(x.ndim, x.shape, {out.strides, x.strides}, {0, x.offset});
  for_each_row(it, kElementwiseGrain, [&](const int64_t* o, int64_t n, const int64_t* st) {
    Out* yo = y + o[0];
    const In* xo = xp + o[1];
    const int64_t sx = st[1];
    if (sx == 1) {
      for (int64_t i = 0; i < n; ++i) yo[i] = to<Out>(load(xo[i]));
    } else {
      for (int64_t i = 0; i < n; ++i) yo[i] = to<Out>(load(xo[i * sx]));
    }
  });
}

}  // namespace

void astype(const Step& s) {
  s.expect_inputs(1);
  const View& x = s.input(0);
  check_same_shape(x, s.out, "the input");
  if (x.dtype == s.out.dtype) return copy_into(x, s.out.base, s.out.strides, 0);
  dispatch_all(x.dtype, [&](auto in) {
    dispatch_all(s.out.dtype,
                 [&](auto out) { cast<typename decltype(in)::type, typename decltype(out)::type>(x, s.out); });
  });
}

void view(const Step& s) {
  s.expect_inputs(1);
  const View& x = s.input(0);
  const int64_t in_bytes = x.size * itemsize(x.dtype);
  const int64_t out_bytes = s.out.size * itemsize(s.out.dtype);
  if (in_bytes != out_bytes) {
    throw Error("view: the input holds " + std::to_string(in_bytes) + " bytes and the output " +
                std::to_string(out_bytes));
  }
  // The input's elements in row-major order are the output's bytes.
  copy_to_contiguous(x, s.out.base + s.out.offset * itemsize(s.out.dtype));
}

void where(const Step& s) {
  s.expect_inputs(3);
  const View& c = s.input(0);
  const View& a = s.input(1);
  const View& b = s.input(2);
  check_same_shape(c, s.out, "the condition");
  check_same_shape(a, s.out, "the second input");
  check_same_shape(b, s.out, "the third input");
  if (c.dtype != Dt::Bool || a.dtype != s.out.dtype || b.dtype != s.out.dtype) {
    throw Error(std::string("expected (bool, T, T) -> T, got (") + dtype_name(c.dtype) + ", " + dtype_name(a.dtype) +
                ", " + dtype_name(b.dtype) + ") -> " + dtype_name(s.out.dtype));
  }
  dispatch_width(s.out.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* y = s.out.at<T>();
    const uint8_t* cp = reinterpret_cast<const uint8_t*>(c.base);
    const T* ap = reinterpret_cast<const T*>(a.base);
    const T* bp = reinterpret_cast<const T*>(b.base);
    NdIter<4> it(s.out.ndim, s.out.shape, {s.out.strides, c.strides, a.strides, b.strides},
                 {0, c.offset, a.offset, b.offset});
    for_each_row(it, kElementwiseGrain, [&](const int64_t* o, int64_t n, const int64_t* st) {
      T* yo = y + o[0];
      const uint8_t* co = cp + o[1];
      const T* ao = ap + o[2];
      const T* bo = bp + o[3];
      if (st[1] == 1 && st[2] == 1 && st[3] == 1) {
        for (int64_t i = 0; i < n; ++i) yo[i] = co[i] ? ao[i] : bo[i];
      } else {
        for (int64_t i = 0; i < n; ++i) yo[i] = co[i * st[1]] ? ao[i * st[2]] : bo[i * st[3]];
      }
    });
  });
}

}  // namespace mlx_cpu
