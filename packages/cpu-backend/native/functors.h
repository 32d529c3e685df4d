// The scalar functions of the elementwise primitives: one functor per primitive, applied to
// values in their compute type (dtype.h's value_t). The addon's kernels and the kernels that
// compile generates at run time (jit.cc) both include this header, so a fused kernel rounds
// exactly as the separate kernels would.
#pragma once

#include <cmath>
#include <limits>
#include <type_traits>

#include "arith.h"
#include "vmath.h"

namespace mlx_cpu {
namespace fn {

inline double erfinv_f64(double y) {
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
    if constexpr (std::is_floating_point_v<C>)
      return std::fabs(x);
    else if constexpr (std::is_signed_v<C>)
      return x < 0 ? wrap_neg(x) : x;
    else
      return x;
  }
};
struct Negative {
  template <class C>
  C operator()(C x) const {
    if constexpr (std::is_floating_point_v<C>)
      return -x;
    else
      return wrap_neg(x);
  }
};
struct Sign {
  template <class C>
  C operator()(C x) const {
    if constexpr (std::is_floating_point_v<C>)
      return x > 0 ? C(1) : x < 0 ? C(-1) : x;  // keeps NaN and -0
    else
      return C((x > 0) - (x < 0));
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
    if constexpr (std::is_floating_point_v<C>)
      return std::floor(x);
    else
      return x;
  }
};
struct Ceil {
  template <class C>
  C operator()(C x) const {
    if constexpr (std::is_floating_point_v<C>)
      return std::ceil(x);
    else
      return x;
  }
};
struct Round {
  template <class C>
  C operator()(C x) const {
    if constexpr (std::is_floating_point_v<C>)
      return std::nearbyint(x);  // the default mode is half-to-even
    else
      return x;
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
#define MLX_TS_FLOAT_UNARY_VM(Name, vm_fn, expr) \
  struct Name {                                  \
    template <class C>                           \
    C operator()(C x) const {                    \
      if constexpr (std::is_same_v<C, float>)    \
        return vm_fn(x);                         \
      else                                       \
        return expr;                             \
    }                                            \
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
MLX_TS_FLOAT_UNARY_VM(Erf, vm::erf, std::erf(x))
MLX_TS_FLOAT_UNARY(Erfinv, C(erfinv_f64(double(x))))
#undef MLX_TS_FLOAT_UNARY
#undef MLX_TS_FLOAT_UNARY_VM

struct IsNan {
  template <class C>
  bool operator()(C x) const {
    if constexpr (std::is_floating_point_v<C>)
      return std::isnan(x);
    else
      return false;
  }
};
struct IsInf {
  template <class C>
  bool operator()(C x) const {
    if constexpr (std::is_floating_point_v<C>)
      return std::isinf(x);
    else
      return false;
  }
};
struct LogicalNot {
  template <class C>
  bool operator()(C x) const {
    return x == C(0);
  }
};

struct Add {
  template <class C>
  C operator()(C a, C b) const {
    return add(a, b);
  }
};
struct Subtract {
  template <class C>
  C operator()(C a, C b) const {
    if constexpr (std::is_integral_v<C>)
      return wrap_sub(a, b);
    else
      return a - b;
  }
};
struct Multiply {
  template <class C>
  C operator()(C a, C b) const {
    return mul(a, b);
  }
};
struct Divide {
  template <class C>
  C operator()(C a, C b) const {
    return a / b;
  }
};
struct Power {
  template <class C>
  C operator()(C a, C b) const {
    if constexpr (std::is_integral_v<C>)
      return int_power(a, b);
    else
      return std::pow(a, b);
  }
};
struct Arctan2 {
  template <class C>
  C operator()(C a, C b) const {
    return std::atan2(a, b);
  }
};
struct Maximum {
  template <class C>
  C operator()(C a, C b) const {
    return nan_max(a, b);
  }
};
struct Minimum {
  template <class C>
  C operator()(C a, C b) const {
    return nan_min(a, b);
  }
};
struct FloorDivide {
  template <class C>
  C operator()(C a, C b) const {
    return floor_divide(a, b);
  }
};
struct Remainder {
  template <class C>
  C operator()(C a, C b) const {
    return remainder(a, b);
  }
};

#define MLX_TS_PREDICATE(Name, expr)  \
  struct Name {                       \
    template <class C>                \
    bool operator()(C a, C b) const { \
      return expr;                    \
    }                                 \
  };
MLX_TS_PREDICATE(Equal, a == b)
MLX_TS_PREDICATE(NotEqual, a != b)
MLX_TS_PREDICATE(Greater, a > b)
MLX_TS_PREDICATE(GreaterEqual, a >= b)
MLX_TS_PREDICATE(Less, a < b)
MLX_TS_PREDICATE(LessEqual, a <= b)
MLX_TS_PREDICATE(LogicalAnd, a != C(0) && b != C(0))
MLX_TS_PREDICATE(LogicalOr, a != C(0) || b != C(0))
#undef MLX_TS_PREDICATE

// The integer family: only integer storage types reach these (the int_only kind).
struct BitwiseInvert {
  template <class C>
  C operator()(C x) const {
    return C(~x);
  }
};
struct BitwiseAnd {
  template <class C>
  C operator()(C a, C b) const {
    return C(a & b);
  }
};
struct BitwiseOr {
  template <class C>
  C operator()(C a, C b) const {
    return C(a | b);
  }
};
struct BitwiseXor {
  template <class C>
  C operator()(C a, C b) const {
    return C(a ^ b);
  }
};
// A count outside [0, width) is undefined in C++; these give NumPy's results instead.
template <class C>
constexpr bool shift_in_range(C count) {
  if constexpr (std::is_signed_v<C>)
    if (count < 0) return false;
  return count < C(sizeof(C) * 8);
}
struct LeftShift {
  template <class C>
  C operator()(C a, C count) const {
    // Shifting the unsigned image keeps a negative value's shift defined.
    return shift_in_range(count) ? C(std::make_unsigned_t<C>(a) << count) : C(0);
  }
};
struct RightShift {
  template <class C>
  C operator()(C a, C count) const {
    if (shift_in_range(count)) return C(a >> count);
    if constexpr (std::is_signed_v<C>)
      return a < 0 ? C(-1) : C(0);
    else
      return C(0);
  }
};

}  // namespace fn
}  // namespace mlx_cpu
