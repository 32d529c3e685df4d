// Elementwise binary primitives: the binary family of ops.h, whose entries choose each op's functor
// and kind (arithmetic on bool computes as 0/1 integers and casts back), and divmod.
#include "functors.h"
#include "kernels.h"
#include "parallel.h"
#include "strided.h"

namespace mlx_cpu {

namespace {

using namespace fn;

template <class In, class Out, class F>
void map_binary(const Step& s, F f) {
  const View& a = s.input(0);
  const View& b = s.input(1);
  Out* y = s.out.at<Out>();
  const In* ap = reinterpret_cast<const In*>(a.base);
  const In* bp = reinterpret_cast<const In*>(b.base);
  NdIter<3> it(s.out.ndim, s.out.shape, {s.out.strides, a.strides, b.strides}, {0, a.offset, b.offset});
  for_each_row(it, kElementwiseGrain, [&](const int64_t* o, int64_t n, const int64_t* st) {
    Out* yo = y + o[0];
    const In* ao = ap + o[1];
    const In* bo = bp + o[2];
    const int64_t sa = st[1], sb = st[2];
    if (sa == 1 && sb == 1) {
      for (int64_t i = 0; i < n; ++i) yo[i] = to<Out>(f(load(ao[i]), load(bo[i])));
    } else if (sa == 1 && sb == 0) {
      const auto bv = load(*bo);
      for (int64_t i = 0; i < n; ++i) yo[i] = to<Out>(f(load(ao[i]), bv));
    } else if (sa == 0 && sb == 1) {
      const auto av = load(*ao);
      for (int64_t i = 0; i < n; ++i) yo[i] = to<Out>(f(av, load(bo[i])));
    } else {
      for (int64_t i = 0; i < n; ++i) yo[i] = to<Out>(f(load(ao[i * sa]), load(bo[i * sb])));
    }
  });
}

// The kinds of ops.h: each checks the dtypes its contract promises (two inputs of one dtype, and
// the output's) and instantiates the kernel for the dtypes it takes, once per step.
void expect_dtypes(const Step& s, Dt out) {
  const View& a = s.input(0);
  const View& b = s.input(1);
  if (a.dtype != b.dtype || s.out.dtype != out) {
    throw Error(std::string("unexpected dtypes ") + dtype_name(a.dtype) + ", " + dtype_name(b.dtype) + " -> " +
                dtype_name(s.out.dtype));
  }
}

template <class F>
void any_dtype(const Step& s, F f) {
  expect_dtypes(s, s.input(0).dtype);
  dispatch_all(s.out.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    map_binary<T, T>(s, f);
  });
}

template <class F>
void float_only(const Step& s, F f) {
  expect_dtypes(s, s.input(0).dtype);
  dispatch_float(s.out.dtype, op_name(s.op), [&](auto tag) {
    using T = typename decltype(tag)::type;
    map_binary<T, T>(s, f);
  });
}

template <class F>
void int_only(const Step& s, F f) {
  expect_dtypes(s, s.input(0).dtype);
  dispatch_int(s.out.dtype, op_name(s.op), [&](auto tag) {
    using T = typename decltype(tag)::type;
    map_binary<T, T>(s, f);
  });
}

template <class F>
void predicate(const Step& s, F f) {
  expect_dtypes(s, Dt::Bool);
  dispatch_all(s.input(0).dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    map_binary<T, bool_t>(s, f);
  });
}

// Quotient and remainder in one pass over the inputs (the FloorDivide and Remainder functors).
template <class T>
void map_divmod(const Step& s) {
  const View& a = s.input(0);
  const View& b = s.input(1);
  T* q = s.output(0).at<T>();
  T* r = s.output(1).at<T>();
  const T* ap = reinterpret_cast<const T*>(a.base);
  const T* bp = reinterpret_cast<const T*>(b.base);
  NdIter<3> it(s.out.ndim, s.out.shape, {s.out.strides, a.strides, b.strides}, {0, a.offset, b.offset});
  for_each_row(it, kElementwiseGrain, [&](const int64_t* o, int64_t n, const int64_t* st) {
    const T* ao = ap + o[1];
    const T* bo = bp + o[2];
    for (int64_t i = 0; i < n; ++i) {
      const auto x = load(ao[i * st[1]]);
      const auto y = load(bo[i * st[2]]);
      q[o[0] + i] = to<T>(FloorDivide{}(x, y));
      r[o[0] + i] = to<T>(Remainder{}(x, y));
    }
  });
}

}  // namespace

void divmod(const Step& s) {
  s.expect_inputs(2);
  s.expect_outputs(2);
  const View& a = s.input(0);
  const View& b = s.input(1);
  for (int k = 0; k < 2; ++k) {
    check_same_shape(s.output(k), s.out, "the remainder");
    if (s.output(k).dtype != a.dtype) throw Error("unexpected output dtype");
  }
  check_same_shape(a, s.out, "the first input");
  check_same_shape(b, s.out, "the second input");
  if (a.dtype != b.dtype)
    throw Error(std::string("unexpected dtypes ") + dtype_name(a.dtype) + ", " + dtype_name(b.dtype));
  dispatch_all(a.dtype, [&](auto tag) { map_divmod<typename decltype(tag)::type>(s); });
}

void binary(const Step& s) {
  s.expect_inputs(2);
  check_same_shape(s.input(0), s.out, "the first input");
  check_same_shape(s.input(1), s.out, "the second input");
  switch (s.op) {
#define MLX_TS_BINARY_CASE(name, family, functor, kind) \
  MLX_TS_IF_FAMILY(family, binary)(case Op::name : return kind(s, functor{});)
    MLX_TS_ELEMENTWISE_OPS(MLX_TS_BINARY_CASE)
#undef MLX_TS_BINARY_CASE
    default:
      throw Error("not a binary primitive");
  }
}

}  // namespace mlx_cpu
