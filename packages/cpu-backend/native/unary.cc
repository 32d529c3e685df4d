// Elementwise unary primitives, including the bool predicates isnan, isinf and logicalNot.
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

template <class F>
void same_dtype(const Step& s, F f) {
  dispatch_all(s.out.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    map_unary<T, T>(s, f);
  });
}

template <class F>
void float_only(const Step& s, F f) {
  dispatch_float(s.out.dtype, op_name(s.op), [&](auto tag) {
    using T = typename decltype(tag)::type;
    map_unary<T, T>(s, f);
  });
}

template <class F>
void predicate(const Step& s, F f) {
  dispatch_all(s.input(0).dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    map_unary<T, bool_t>(s, f);
  });
}

}  // namespace

void unary(const Step& s) {
  s.expect_inputs(1);
  const View& x = s.input(0);
  check_same_shape(x, s.out, "the input");
  const bool is_predicate = s.op == Op::isnan || s.op == Op::isinf || s.op == Op::logicalNot;
  if (is_predicate ? s.out.dtype != Dt::Bool : x.dtype != s.out.dtype) {
    throw Error(std::string("unexpected dtypes ") + dtype_name(x.dtype) + " -> " + dtype_name(s.out.dtype));
  }
  switch (s.op) {
    case Op::abs: return same_dtype(s, Abs{});
    case Op::negative: return same_dtype(s, Negative{});
    case Op::sign: return same_dtype(s, Sign{});
    case Op::square: return same_dtype(s, Square{});
    case Op::floor: return same_dtype(s, Floor{});
    case Op::ceil: return same_dtype(s, Ceil{});
    case Op::round: return same_dtype(s, Round{});
    case Op::exp: return float_only(s, Exp{});
    case Op::log: return float_only(s, Log{});
    case Op::log1p: return float_only(s, Log1p{});
    case Op::expm1: return float_only(s, Expm1{});
    case Op::sin: return float_only(s, Sin{});
    case Op::cos: return float_only(s, Cos{});
    case Op::tan: return float_only(s, Tan{});
    case Op::tanh: return float_only(s, Tanh{});
    case Op::sinh: return float_only(s, Sinh{});
    case Op::cosh: return float_only(s, Cosh{});
    case Op::arcsin: return float_only(s, Arcsin{});
    case Op::arccos: return float_only(s, Arccos{});
    case Op::arctan: return float_only(s, Arctan{});
    case Op::arcsinh: return float_only(s, Arcsinh{});
    case Op::arccosh: return float_only(s, Arccosh{});
    case Op::arctanh: return float_only(s, Arctanh{});
    case Op::sqrt: return float_only(s, Sqrt{});
    case Op::rsqrt: return float_only(s, Rsqrt{});
    case Op::sigmoid: return float_only(s, Sigmoid{});
    case Op::erf: return float_only(s, Erf{});
    case Op::erfinv: return float_only(s, Erfinv{});
    case Op::isnan: return predicate(s, IsNan{});
    case Op::isinf: return predicate(s, IsInf{});
    case Op::logicalNot: return predicate(s, LogicalNot{});
    default: throw Error("not a unary primitive");
  }
}

}  // namespace mlx_cpu
