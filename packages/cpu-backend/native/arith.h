// Scalar arithmetic with the numeric contracts of DESIGN.md: integers wrap (no signed-overflow
// undefined behaviour), integer division by zero gives 0, floor division and remainder follow
// Python, and max/min propagate NaN.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace mlx_cpu {

// Unsigned arithmetic at least as wide as int, so narrow types neither promote to signed int nor
// overflow it.
template <class T>
using wide_unsigned_t = std::conditional_t<(sizeof(T) <= 4), uint32_t, uint64_t>;

template <class T>
inline T wrap_add(T a, T b) {
  using U = wide_unsigned_t<T>;
  return T(U(a) + U(b));
}
template <class T>
inline T wrap_sub(T a, T b) {
  using U = wide_unsigned_t<T>;
  return T(U(a) - U(b));
}
template <class T>
inline T wrap_mul(T a, T b) {
  using U = wide_unsigned_t<T>;
  return T(U(a) * U(b));
}
template <class T>
inline T wrap_neg(T a) {
  using U = wide_unsigned_t<T>;
  return T(U(0) - U(a));
}

template <class T>
inline T add(T a, T b) {
  if constexpr (std::is_integral_v<T>)
    return wrap_add(a, b);
  else
    return a + b;
}
template <class T>
inline T mul(T a, T b) {
  if constexpr (std::is_integral_v<T>)
    return wrap_mul(a, b);
  else
    return a * b;
}

template <class T>
inline T nan_max(T a, T b) {
  if constexpr (std::is_floating_point_v<T>)
    return (a > b || a != a) ? a : b;
  else
    return a > b ? a : b;
}
template <class T>
inline T nan_min(T a, T b) {
  if constexpr (std::is_floating_point_v<T>)
    return (a < b || a != a) ? a : b;
  else
    return a < b ? a : b;
}

template <class T>
inline T floor_divide(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    if (b == 0) return 0;
    if constexpr (std::is_signed_v<T>) {
      if (b == -1) return wrap_neg(a);  // also avoids the trap on INT_MIN / -1
      const T q = T(a / b);
      return (a % b != 0 && ((a < 0) != (b < 0))) ? T(q - 1) : q;
    } else {
      return T(a / b);
    }
  } else {
    // NumPy's npy_divmod: floor((a - fmod(a, b)) / b), so that a == b * q + r holds closely.
    if (b == 0) return a / b;
    const T mod = std::fmod(a, b);
    T div = (a - mod) / b;
    if (mod != 0 && ((b < 0) != (mod < 0))) div -= T(1);
    if (div == 0) return std::copysign(T(0), a / b);
    T q = std::floor(div);
    if (div - q > T(0.5)) q += T(1);
    return q;
  }
}

template <class T>
inline T remainder(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    if (b == 0) return 0;
    if constexpr (std::is_signed_v<T>) {
      if (b == -1) return 0;
      const T r = T(a % b);
      return (r != 0 && ((r < 0) != (b < 0))) ? T(r + b) : r;
    } else {
      return T(a % b);
    }
  } else {
    T r = std::fmod(a, b);
    if (r != 0 && ((r < 0) != (b < 0)))
      r += b;
    else if (r == 0)
      r = std::copysign(T(0), b);
    return r;
  }
}

// Integer power by squaring, wrapping; a negative exponent gives 0 except for bases 1 and -1.
template <class T>
inline T int_power(T base, T exp) {
  if constexpr (std::is_signed_v<T>) {
    if (exp < 0) {
      if (base == 1) return 1;
      if (base == -1) return (exp & 1) ? T(-1) : T(1);
      return 0;
    }
  }
  T result = 1;
  while (exp != 0) {
    if (exp & 1) result = wrap_mul(result, base);
    base = wrap_mul(base, base);
    exp = T(exp >> 1);
  }
  return result;
}

}  // namespace mlx_cpu
