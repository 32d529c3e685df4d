// Dtypes: codes shared with core/src/dtype.ts (Dtype.code), the C++ type that stores each one, the
// type each one computes in, and the conversion rules of DESIGN.md's numeric contracts.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>

#include "errors.h"
#include "half.h"

namespace mlx_cpu {

// The dtypes in code order, X(enumerator, core's name, storage type): the enum, the names and item
// sizes (program.cc) and dispatch_all come from this list, and the addon exports it (dtypes), so
// the TypeScript wrapper checks it against core's codes and generated kernels take its storage
// types.
// A table laid out by hand: kept out of clang-format.
// clang-format off
#define MLX_TS_REAL_DTYPES(X)                                                                         \
  X(Bool, bool, bool_t) X(U8, uint8, uint8_t) X(U16, uint16, uint16_t) X(U32, uint32, uint32_t)        \
  X(I8, int8, int8_t) X(I16, int16, int16_t) X(I32, int32, int32_t) X(I64, int64, int64_t)             \
  X(F16, float16, f16_t) X(BF16, bfloat16, bf16_t) X(F32, float32, float) X(F64, float64, double)
// complex64 comes last: only complex.cc computes on it (dispatch_all covers the real dtypes), and
// kernels that only move elements see it as 8-byte items (dispatch_width).
#define MLX_TS_DTYPES(X) MLX_TS_REAL_DTYPES(X) X(C64, complex64, c64_t)
// clang-format on

enum class Dt : int32_t {
#define MLX_TS_DTYPE_ENUM(dt, name, storage) dt,
  MLX_TS_DTYPES(MLX_TS_DTYPE_ENUM)
#undef MLX_TS_DTYPE_ENUM
};
#define MLX_TS_DTYPE_COUNT_ONE(dt, name, storage) +1
constexpr int kDtypeCount = 0 MLX_TS_DTYPES(MLX_TS_DTYPE_COUNT_ONE);
#undef MLX_TS_DTYPE_COUNT_ONE

// Distinct storage types for the dtypes whose bits look like another dtype's.
struct bool_t {
  uint8_t v;
};
struct f16_t {
  uint16_t bits;
};
struct bf16_t {
  uint16_t bits;
};
// Interleaved (re, im) float32 pair, std::complex<float>'s layout.
struct c64_t {
  float re, im;
};

int itemsize(Dt d);
const char* dtype_name(Dt d);

template <class T>
inline constexpr bool is_half_v = std::is_same_v<T, f16_t> || std::is_same_v<T, bf16_t>;
template <class T>
inline constexpr bool is_float_v = std::is_floating_point_v<T> || is_half_v<T>;

// What a kernel computes in: float16/bfloat16 in float32, bool as 0/1 integers (so arithmetic on
// bool "computes as integers and casts back").
template <class T>
struct value_type {
  using type = T;
};
template <>
struct value_type<bool_t> {
  using type = int32_t;
};
template <>
struct value_type<f16_t> {
  using type = float;
};
template <>
struct value_type<bf16_t> {
  using type = float;
};
template <class T>
using value_t = typename value_type<T>::type;

template <class T>
inline value_t<T> load(T x) {
  if constexpr (std::is_same_v<T, bool_t>)
    return x.v != 0;
  else if constexpr (std::is_same_v<T, f16_t>)
    return f16_to_float(x.bits);
  else if constexpr (std::is_same_v<T, bf16_t>)
    return bf16_to_float(x.bits);
  else
    return x;
}

// Float to integer truncates toward zero; NaN, infinities and values outside int64 give 0 instead
// of C++'s undefined behaviour, and narrower integers then wrap as the reference backend does.
inline int64_t float_to_int64(double x) {
  return (x > -9.2233720368547758e18 && x < 9.2233720368547758e18) ? int64_t(x) : 0;
}

// Any computed value into storage type T, following the cast contracts.
template <class T, class V>
inline T to(V v) {
  if constexpr (std::is_same_v<T, bool_t>) {
    return bool_t{uint8_t(v != V(0))};
  } else if constexpr (std::is_same_v<T, f16_t>) {
    // Wider values round through float32, as "compute in float32, round on store" implies.
    return f16_t{float_to_f16(float(v))};
  } else if constexpr (std::is_same_v<T, bf16_t>) {
    return bf16_t{float_to_bf16(float(v))};
  } else if constexpr (std::is_floating_point_v<T>) {
    return T(v);
  } else if constexpr (std::is_floating_point_v<V>) {
    return T(float_to_int64(double(v)));
  } else {
    return T(v);
  }
}

template <class T>
struct Tag {
  using type = T;
};

// Calls f(Tag<T>{}) with the storage type of d.
template <class F>
decltype(auto) dispatch_all(Dt d, F&& f) {
  switch (d) {
#define MLX_TS_DTYPE_CASE(dt, name, storage) \
  case Dt::dt:                               \
    return f(Tag<storage>{});
    MLX_TS_REAL_DTYPES(MLX_TS_DTYPE_CASE)
#undef MLX_TS_DTYPE_CASE
    case Dt::C64:
      throw Error("this kernel does not compute on complex64");
  }
  throw Error("unknown dtype code " + std::to_string(int(d)));
}

template <class F>
decltype(auto) dispatch_float(Dt d, const char* what, F&& f) {
  switch (d) {
    case Dt::F16:
      return f(Tag<f16_t>{});
    case Dt::BF16:
      return f(Tag<bf16_t>{});
    case Dt::F32:
      return f(Tag<float>{});
    case Dt::F64:
      return f(Tag<double>{});
    default:
      throw Error(std::string(what) + " expects a floating dtype, got " + dtype_name(d));
  }
}

template <class F>
decltype(auto) dispatch_int(Dt d, const char* what, F&& f) {
  switch (d) {
    case Dt::U8:
      return f(Tag<uint8_t>{});
    case Dt::U16:
      return f(Tag<uint16_t>{});
    case Dt::U32:
      return f(Tag<uint32_t>{});
    case Dt::I8:
      return f(Tag<int8_t>{});
    case Dt::I16:
      return f(Tag<int16_t>{});
    case Dt::I32:
      return f(Tag<int32_t>{});
    case Dt::I64:
      return f(Tag<int64_t>{});
    default:
      throw Error(std::string(what) + " expects an integer dtype, got " + dtype_name(d));
  }
}

// Kernels that only move elements care about their width, not their meaning.
template <int N>
struct Bytes {
  unsigned char b[N];
};

template <class F>
decltype(auto) dispatch_width(Dt d, F&& f) {
  switch (itemsize(d)) {
    case 1:
      return f(Tag<Bytes<1>>{});
    case 2:
      return f(Tag<Bytes<2>>{});
    case 4:
      return f(Tag<Bytes<4>>{});
    default:
      return f(Tag<Bytes<8>>{});
  }
}

}  // namespace mlx_cpu
