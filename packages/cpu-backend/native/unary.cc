// Elementwise unary primitives: the unary family of ops.h, whose entries choose each op's functor
// and kind (the dtypes it takes and gives).
#include "functors.h"
#include "kernels.h"
#include "parallel.h"
#include "strided.h"

namespace mlx_cpu {

namespace {

using namespace fn;

template <class In, class Out, class F>
void map_unary(const Step& s, F f) {
  const View& x = s.input(0);
  Out* y = s.out.at<Out>();
  const In* xp = reinterpret_cast<const In*>(x.base);
  NdIter<2> it(x.ndim, x.shape, {s.out.strides, x.strides}, {0, x.offset});
  for_each_row(it, kElementwiseGrain, [&](const int64_t* o, int64_t n, const int64_t* st) {
    Out* yo = y + o[0];
    const In* xo = xp + o[1];
    const int64_t sx = st[1];
    if (sx == 1) {
      for (int64_t i = 0; i < n; ++i) yo[i] = to<Out>(f(load(xo[i])));
    } else {
      for (int64_t i = 0; i < n; ++i) yo[i] = to<Out>(f(load(xo[i * sx])));
    }
  });
}

// The kinds of ops.h: each checks the output dtype its contract promises and instantiates the
// kernel for the dtypes it takes, once per step.
void expect_output(const Step& s, Dt out) {
  if (s.out.dtype != out) {
    throw Error(std::string("unexpected dtypes ") + dtype_name(s.input(0).dtype) + " -> " + dtype_name(s.out.dtype));
  }
}

template <class F>
void any_dtype(const Step& s, F f) {
  expect_output(s, s.input(0).dtype);
  dispatch_all(s.out.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    map_unary<T, T>(s, f);
  });
}

template <class F>
void float_only(const Step& s, F f) {
  expect_output(s, s.input(0).dtype);
  dispatch_float(s.out.dtype, op_name(s.op), [&](auto tag) {
    using T = typename decltype(tag)::type;
    map_unary<T, T>(s, f);
  });
}

template <class F>
void int_only(const Step& s, F f) {
  expect_output(s, s.input(0).dtype);
  dispatch_int(s.out.dtype, op_name(s.op), [&](auto tag) {
    using T = typename decltype(tag)::type;
    map_unary<T, T>(s, f);
  });
}

template <class F>
void predicate(const Step& s, F f) {
  expect_output(s, Dt::Bool);
  dispatch_all(s.input(0).dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    map_unary<T, bool_t>(s, f);
  });
}

}  // namespace

void unary(const Step& s) {
  s.expect_inputs(1);
  check_same_shape(s.input(0), s.out, "the input");
  switch (s.op) {
#define MLX_TS_UNARY_CASE(name, family, functor, kind) \
  MLX_TS_IF_FAMILY(family, unary)(case Op::name : return kind(s, functor{});)
    MLX_TS_ELEMENTWISE_OPS(MLX_TS_UNARY_CASE)
#undef MLX_TS_UNARY_CASE
    default:
      throw Error("not a unary primitive");
  }
}

}  // namespace mlx_cpu
