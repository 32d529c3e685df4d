// Elementwise unary primitives, including the bool predicates isnan, isinf and logicalNot.
#include <cmath>
#include <limits>

#include "arith.h"
#include "kernels.h"
#include "parallel.h"
#include "strided.h"
#include "vmath.h"

namespace mlx_cpu {

namespace {

double erfinv_f64(double y) {
  if (!(y >= -1.0 && y <= 1.0)) return std::numeric_limits<double>::quiet_NaN();
  if (y == 1.0) return std::numeric_limits<double>::infinity();
  if (y == -1.0) return -std::numeric_limits<double>::infinity();
  if (y == 0.0) return y;
  // Giles, "Approximating the erfinv function" (GPU Computing Gems, 2011): a float32-accurate guess.
  double w = -std::log((1.0 - y) * (1.0 + y));
  double p;
  if (w < 5.0) {
    w -= 2.5;
    p = 2.81022636e-08;
    p = 3.43273939e-07 + p * w;
    p = -3.5233877e-06 + p * w;
    p = -4.39150654e-06 + p * w;
    p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w;
    p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
  } else {
    w = std::sqrt(w) - 3.0;
    p = -0.000200214257;
    p = 0.000100950558 + p * w;
    p = 0.00134934322 + p * w;
    p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w;
    p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
  }
  const double a = std::fabs(y);
  double x = std::fabs(p * y);
  constexpr double kTwoOverSqrtPi = 1.1283791670955126;  // d/dx erf(x) = 2/sqrt(pi) e^(-x^2)
  if (a <= 0.5) {
    // Newton steps on erf(x) = a take the float32-accurate guess to float64 accuracy.
    for (int i = 0; i < 2; ++i) x -= (std::erf(x) - a) / (kTwoOverSqrtPi * std::exp(-x * x));
  } else {
    // In the tail erf(x) has no digits left, and erfc(x) = 1 - a (exact there) bends too sharply
    // for Newton; log(erfc(x)) = log(1 - a) is nearly quadratic in x and converges in a few steps.
    const double log_t = std::log(1.0 - a);
    for (int i = 0; i < 8; ++i) {
      const double e = std::erfc(x);
      const double dx = (std::log(e) - log_t) / (-kTwoOverSqrtPi * std::exp(-x * x) / e);
      x -= dx;
      if (!(std::fabs(dx) > 1e-16 * x)) break;
    }
  }
  return y < 0 ? -x : x;
}

// Each functor maps a value (value_t of the dtype) to a value; the store rounds or wraps it.
struct Abs {
  template <class C>
  C operator()(C x) const {
    if constexpr (std::is_floating_point_v<C>) return std::fabs(x);
    else if constexpr (std::is_signed_v<C>) return x < 0 ? wrap_neg(x) : x;
    else return x;
  }
};
struct Negative {
  template <class C>
  C operator()(C x) const {
    if constexpr (std::is_floating_point_v<C>) return -x;
    else return wrap_neg(x);
  }
};
struct Sign {
  template <class C>
  C operator()(C x) const {
    if constexpr (std::is_floating_point_v<C>) return x > 0 ? C(1) : x < 0 ? C(-1) : x;  // keeps NaN and -0
    else return C((x > 0) - (x < 0));
  }
};
struct Square {
  template <class C>
  C operator()(C x) const {
    return mul(x, x);
  }
};
struct Floor {
  template <class C>
  C operator()(C x) const {
    if constexpr (std::is_floating_point_v<C>) return std::floor(x);
    else return x;
  }
};
struct Ceil {
  template <class C>
  C operator()(C x) const {
    if constexpr (std::is_floating_point_v<C>) return std::ceil(x);
    else return x;
  }
};
struct Round {
  template <class C>
  C operator()(C x) const {
    if constexpr (std::is_floating_point_v<C>) return std::nearbyint(x);  // the default mode is half-to-even
    else return x;
  }
};

#define MLX_TS_FLOAT_UNARY(Name, expr) \
  struct Name {                        \
    template <class C>                 \
    C operator()(C x) const {          \
      return expr;                     \
    }                                  \
  };
// float32 (and float16/bfloat16, which compute in it) takes the branch-free vm:: version, which
// vectorizes; float64 keeps the C library's.
#define MLX_TS_FLOAT_UNARY_VM(Name, vm_fn, expr)               \
  struct Name {                                                \
    template <class C>                                         \
    C operator()(C x) const {                                  \
      if constexpr (std::is_same_v<C, float>) return vm_fn(x); \
      else return expr;                                        \
    }                                                          \
  };
MLX_TS_FLOAT_UNARY_VM(Exp, vm::exp, std::exp(x))
MLX_TS_FLOAT_UNARY_VM(Log, vm::log, std::log(x))
MLX_TS_FLOAT_UNARY_VM(Log1p, vm::log1p, std::log1p(x))
MLX_TS_FLOAT_UNARY_VM(Expm1, vm::expm1, std::expm1(x))
MLX_TS_FLOAT_UNARY(Sin, std::sin(x))
MLX_TS_FLOAT_UNARY(Cos, std::cos(x))
MLX_TS_FLOAT_UNARY(Tan, std::tan(x))
MLX_TS_FLOAT_UNARY_VM(Tanh, vm::tanh, std::tanh(x))
MLX_TS_FLOAT_UNARY(Sinh, std::sinh(x))
MLX_TS_FLOAT_UNARY(Cosh, std::cosh(x))
MLX_TS_FLOAT_UNARY(Arcsin, std::asin(x))
MLX_TS_FLOAT_UNARY(Arccos, std::acos(x))
MLX_TS_FLOAT_UNARY(Arctan, std::atan(x))
MLX_TS_FLOAT_UNARY(Arcsinh, std::asinh(x))
MLX_TS_FLOAT_UNARY(Arccosh, std::acosh(x))
MLX_TS_FLOAT_UNARY(Arctanh, std::atanh(x))
MLX_TS_FLOAT_UNARY(Sqrt, std::sqrt(x))
MLX_TS_FLOAT_UNARY(Rsqrt, C(1) / std::sqrt(x))
MLX_TS_FLOAT_UNARY_VM(Sigmoid, vm::sigmoid, C(1) / (C(1) + std::exp(-x)))
MLX_TS_FLOAT_UNARY(Erf, std::erf(x))
MLX_TS_FLOAT_UNARY(Erfinv, C(erfinv_f64(double(x))))
#undef MLX_TS_FLOAT_UNARY
#undef MLX_TS_FLOAT_UNARY_VM

struct IsNan {
  template <class C>
  bool operator()(C x) const {
    if constexpr (std::is_floating_point_v<C>) return std::isnan(x);
    else return false;
  }
};
struct IsInf {
  template <class C>
  bool operator()(C x) const {
    if constexpr (std::is_floating_point_v<C>) return std::isinf(x);
    else return false;
  }
};
struct LogicalNot {
  template <class C>
  bool operator()(C x) const {
    return x == C(0);
  }
};

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
