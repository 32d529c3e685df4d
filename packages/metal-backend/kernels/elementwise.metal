// unary, binary, where, astype: one thread per output element. Variants by layout: `v` (contiguous
// inputs), `s`/`sv`/`vs` (a 0-stride scalar input), `g` (any strides, broadcasts included: stride 0).
// Results follow the CPU backend's functors (cpu-backend/native/functors.h): NaN propagates through
// maximum/minimum, sign keeps NaN and -0, round is half-to-even, integers wrap.
#include "common.h"

// ---- the ops: computed in float for float dtypes (a half op rounded once is the half op) ----
#define MLX_TS_FLOAT_FN(Name, expr) \
  struct Name {                     \
    template <typename T>           \
    T operator()(T x0) const {      \
      const float x = float(x0);    \
      return T(expr);               \
    }                               \
  };
MLX_TS_FLOAT_FN(Exp, metal::exp(x))
MLX_TS_FLOAT_FN(Log, metal::log(x))
MLX_TS_FLOAT_FN(Sin, metal::sin(x))
MLX_TS_FLOAT_FN(Cos, metal::cos(x))
MLX_TS_FLOAT_FN(Tan, metal::tan(x))
MLX_TS_FLOAT_FN(Tanh, metal::tanh(x))
MLX_TS_FLOAT_FN(Sinh, metal::sinh(x))
MLX_TS_FLOAT_FN(Cosh, metal::cosh(x))
MLX_TS_FLOAT_FN(Arcsin, metal::asin(x))
MLX_TS_FLOAT_FN(Arccos, metal::acos(x))
MLX_TS_FLOAT_FN(Arctan, metal::atan(x))
MLX_TS_FLOAT_FN(Sqrt, metal::sqrt(x))
MLX_TS_FLOAT_FN(Rsqrt, 1.0f / metal::sqrt(x))
MLX_TS_FLOAT_FN(Sigmoid, 1.0f / (1.0f + metal::exp(-x)))
MLX_TS_FLOAT_FN(Erf, metal::erf(x))
MLX_TS_FLOAT_FN(Floor, metal::floor(x))
MLX_TS_FLOAT_FN(Ceil, metal::ceil(x))
MLX_TS_FLOAT_FN(Round, metal::rint(x))
MLX_TS_FLOAT_FN(Abs, metal::fabs(x))
MLX_TS_FLOAT_FN(Negative, -x)
MLX_TS_FLOAT_FN(Square, x* x)
MLX_TS_FLOAT_FN(Sign, x > 0.0f ? 1.0f : x < 0.0f ? -1.0f : x)
#undef MLX_TS_FLOAT_FN

// Unary ops on float dtypes: name, functor.
// clang-format off: one entry per line reads as the list it is.
#define MLX_TS_UNARY_OPS(X, ...)     \
  X(exp, Exp, __VA_ARGS__)           \
  X(log, Log, __VA_ARGS__)           \
  X(sin, Sin, __VA_ARGS__)           \
  X(cos, Cos, __VA_ARGS__)           \
  X(tan, Tan, __VA_ARGS__)           \
  X(tanh, Tanh, __VA_ARGS__)         \
  X(sinh, Sinh, __VA_ARGS__)         \
  X(cosh, Cosh, __VA_ARGS__)         \
  X(arcsin, Arcsin, __VA_ARGS__)     \
  X(arccos, Arccos, __VA_ARGS__)     \
  X(arctan, Arctan, __VA_ARGS__)     \
  X(sqrt, Sqrt, __VA_ARGS__)         \
  X(rsqrt, Rsqrt, __VA_ARGS__)       \
  X(sigmoid, Sigmoid, __VA_ARGS__)   \
  X(erf, Erf, __VA_ARGS__)           \
  X(floor, Floor, __VA_ARGS__)       \
  X(ceil, Ceil, __VA_ARGS__)         \
  X(round, Round, __VA_ARGS__)       \
  X(abs, Abs, __VA_ARGS__)           \
  X(negative, Negative, __VA_ARGS__) \
  X(square, Square, __VA_ARGS__)     \
  X(sign, Sign, __VA_ARGS__)
// clang-format on

#define MLX_TS_FLOAT_BIN(Name, expr) \
  struct Name {                      \
    template <typename T>            \
    T operator()(T a0, T b0) const { \
      const float a = float(a0);     \
      const float b = float(b0);     \
      return T(expr);                \
    }                                \
  };
MLX_TS_FLOAT_BIN(Add, a + b)
MLX_TS_FLOAT_BIN(Subtract, a - b)
MLX_TS_FLOAT_BIN(Multiply, a* b)
MLX_TS_FLOAT_BIN(Divide, a / b)
MLX_TS_FLOAT_BIN(Power, metal::pow(a, b))
MLX_TS_FLOAT_BIN(Arctan2, metal::atan2(a, b))
MLX_TS_FLOAT_BIN(Maximum, metal::isnan(a) || metal::isnan(b) ? a + b : a < b ? b : a)
MLX_TS_FLOAT_BIN(Minimum, metal::isnan(a) || metal::isnan(b) ? a + b : b < a ? b : a)
#undef MLX_TS_FLOAT_BIN

// clang-format off: one entry per line reads as the list it is.
#define MLX_TS_BINARY_OPS(X, ...)    \
  X(add, Add, __VA_ARGS__)           \
  X(subtract, Subtract, __VA_ARGS__) \
  X(multiply, Multiply, __VA_ARGS__) \
  X(divide, Divide, __VA_ARGS__)     \
  X(power, Power, __VA_ARGS__)       \
  X(arctan2, Arctan2, __VA_ARGS__)   \
  X(maximum, Maximum, __VA_ARGS__)   \
  X(minimum, Minimum, __VA_ARGS__)
// clang-format on

// Predicates: float inputs, bool output.
#define MLX_TS_PREDICATE(Name, expr)    \
  struct Name {                         \
    template <typename T>               \
    bool operator()(T a0, T b0) const { \
      const float a = float(a0);        \
      const float b = float(b0);        \
      return expr;                      \
    }                                   \
  };
MLX_TS_PREDICATE(Equal, a == b)
MLX_TS_PREDICATE(NotEqual, a != b)
MLX_TS_PREDICATE(Greater, a > b)
MLX_TS_PREDICATE(GreaterEqual, a >= b)
MLX_TS_PREDICATE(Less, a < b)
MLX_TS_PREDICATE(LessEqual, a <= b)
#undef MLX_TS_PREDICATE

// clang-format off: one entry per line reads as the list it is.
#define MLX_TS_PREDICATE_OPS(X, ...)         \
  X(equal, Equal, __VA_ARGS__)               \
  X(notEqual, NotEqual, __VA_ARGS__)         \
  X(greater, Greater, __VA_ARGS__)           \
  X(greaterEqual, GreaterEqual, __VA_ARGS__) \
  X(less, Less, __VA_ARGS__)                 \
  X(lessEqual, LessEqual, __VA_ARGS__)
// clang-format on

// ---- the kernels ----
template <typename T, typename U, typename Op>
[[kernel]] void unary_v(device const T* in [[buffer(0)]], device U* out [[buffer(1)]],
                        uint i [[thread_position_in_grid]]) {
  out[i] = Op()(in[i]);
}

template <typename T, typename U, typename Op>
[[kernel]] void unary_g(device const T* in [[buffer(0)]], device U* out [[buffer(1)]],
                        constant const int* shape [[buffer(2)]], constant const long* strides [[buffer(3)]],
                        constant const int& ndim [[buffer(4)]], uint i [[thread_position_in_grid]]) {
  out[i] = Op()(in[strided_loc(i, shape, strides, ndim)]);
}

template <typename T, typename U, typename Op>
[[kernel]] void binary_vv(device const T* a [[buffer(0)]], device const T* b [[buffer(1)]], device U* out [[buffer(2)]],
                          uint i [[thread_position_in_grid]]) {
  out[i] = Op()(a[i], b[i]);
}

template <typename T, typename U, typename Op>
[[kernel]] void binary_sv(device const T* a [[buffer(0)]], device const T* b [[buffer(1)]], device U* out [[buffer(2)]],
                          uint i [[thread_position_in_grid]]) {
  out[i] = Op()(a[0], b[i]);
}

template <typename T, typename U, typename Op>
[[kernel]] void binary_vs(device const T* a [[buffer(0)]], device const T* b [[buffer(1)]], device U* out [[buffer(2)]],
                          uint i [[thread_position_in_grid]]) {
  out[i] = Op()(a[i], b[0]);
}

// Both inputs strided over the output's shape (strides_a, then strides_b, `ndim` each).
template <typename T, typename U, typename Op>
[[kernel]] void binary_g(device const T* a [[buffer(0)]], device const T* b [[buffer(1)]], device U* out [[buffer(2)]],
                         constant const int* shape [[buffer(3)]], constant const long* strides [[buffer(4)]],
                         constant const int& ndim [[buffer(5)]], uint i [[thread_position_in_grid]]) {
  out[i] = Op()(a[strided_loc(i, shape, strides, ndim)], b[strided_loc(i, shape, strides + ndim, ndim)]);
}

// where(c, x, y): three strided inputs (strides of c, x, y, `ndim` each).
template <typename T>
[[kernel]] void where_g(device const bool* c [[buffer(0)]], device const T* x [[buffer(1)]],
                        device const T* y [[buffer(2)]], device T* out [[buffer(3)]],
                        constant const int* shape [[buffer(4)]], constant const long* strides [[buffer(5)]],
                        constant const int& ndim [[buffer(6)]], uint i [[thread_position_in_grid]]) {
  const bool pick = c[strided_loc(i, shape, strides, ndim)];
  out[i] = pick ? x[strided_loc(i, shape, strides + ndim, ndim)] : y[strided_loc(i, shape, strides + 2 * ndim, ndim)];
}

// A strided view copied out contiguous, in its own dtype: how the host lays rows out for the row
// kernels and broadcasts matmul's batch dims.
template <typename T>
[[kernel]] void copy_g(device const T* in [[buffer(0)]], device T* out [[buffer(1)]],
                       constant const int* shape [[buffer(2)]], constant const long* strides [[buffer(3)]],
                       constant const int& ndim [[buffer(4)]], uint i [[thread_position_in_grid]]) {
  out[i] = in[strided_loc(i, shape, strides, ndim)];
}

// astype: float to integer truncates toward zero; to bool is "nonzero" (NaN is true). The 16-bit
// floats convert through float, the one type Metal converts every other from and to.
template <typename U>
struct Cast {
  template <typename T>
  U operator()(T x) const {
    return U(x);
  }
  U operator()(half x) const { return U(float(x)); }
  U operator()(bfloat x) const { return U(float(x)); }
};
template <>
struct Cast<bool> {
  template <typename T>
  bool operator()(T x) const {
    return float(x) != 0.0f || metal::isnan(float(x));
  }
};
// concatenate and pad: a strided input copied into the output at the Output argument's byte
// offset, through the output's strides (strides of the input, then of the output, `ndim` each).
template <typename T>
[[kernel]] void copy_into_g(device const T* in [[buffer(0)]], device T* out [[buffer(1)]],
                            constant const int* shape [[buffer(2)]], constant const long* strides [[buffer(3)]],
                            constant const int& ndim [[buffer(4)]], uint i [[thread_position_in_grid]]) {
  out[strided_loc(i, shape, strides + ndim, ndim)] = in[strided_loc(i, shape, strides, ndim)];
}

// pad's border: every output element set to `value` before the input is copied in.
template <typename T>
[[kernel]] void fill(device T* out [[buffer(0)]], constant const float& value [[buffer(1)]],
                     uint i [[thread_position_in_grid]]) {
  out[i] = Cast<T>()(value);
}

template <typename T, typename U>
[[kernel]] void astype_g(device const T* in [[buffer(0)]], device U* out [[buffer(1)]],
                         constant const int* shape [[buffer(2)]], constant const long* strides [[buffer(3)]],
                         constant const int& ndim [[buffer(4)]], uint i [[thread_position_in_grid]]) {
  out[i] = Cast<U>()(in[strided_loc(i, shape, strides, ndim)]);
}

// The dtypes astype converts to: MLX_TS_METAL_FLOATS and MLX_TS_METAL_INTS spelled out, as the
// preprocessor does not expand a list inside its own expansion (the sources are those two lists).
// clang-format off: one entry per line reads as the list it is.
#define MLX_TS_ASTYPE_TARGETS(X, ...) \
  X(float32, float, __VA_ARGS__)      \
  X(float16, half, __VA_ARGS__)       \
  X(bfloat16, bfloat, __VA_ARGS__)    \
  X(int32, int, __VA_ARGS__)          \
  X(uint32, uint, __VA_ARGS__)
// clang-format on

// ---- the names the host dispatches ----
#define MLX_TS_UNARY_INST(dname, T, op, Op)                        \
  MLX_TS_INSTANTIATE("unary_v_" #op "_" #dname, unary_v<T, T, Op>) \
  MLX_TS_INSTANTIATE("unary_g_" #op "_" #dname, unary_g<T, T, Op>)
#define MLX_TS_UNARY_EACH(op, Op, _) MLX_TS_METAL_FLOATS(MLX_TS_UNARY_INST, op, Op)
MLX_TS_UNARY_OPS(MLX_TS_UNARY_EACH, _)

// clang-format off: one entry per line reads as the list it is.
#define MLX_TS_BINARY_INST(dname, T, op, Op, U)                        \
  MLX_TS_INSTANTIATE("binary_vv_" #op "_" #dname, binary_vv<T, U, Op>) \
  MLX_TS_INSTANTIATE("binary_sv_" #op "_" #dname, binary_sv<T, U, Op>) \
  MLX_TS_INSTANTIATE("binary_vs_" #op "_" #dname, binary_vs<T, U, Op>) \
  MLX_TS_INSTANTIATE("binary_g_" #op "_" #dname, binary_g<T, U, Op>)
// clang-format on
#define MLX_TS_BINARY_SAME(dname, T, op, Op) MLX_TS_BINARY_INST(dname, T, op, Op, T)
#define MLX_TS_BINARY_BOOL(dname, T, op, Op) MLX_TS_BINARY_INST(dname, T, op, Op, bool)
#define MLX_TS_BINARY_EACH(op, Op, _) MLX_TS_METAL_FLOATS(MLX_TS_BINARY_SAME, op, Op)
#define MLX_TS_PREDICATE_EACH(op, Op, _) MLX_TS_METAL_FLOATS(MLX_TS_BINARY_BOOL, op, Op)
MLX_TS_BINARY_OPS(MLX_TS_BINARY_EACH, _)
MLX_TS_PREDICATE_OPS(MLX_TS_PREDICATE_EACH, _)

// clang-format off: one instantiation per line.
#define MLX_TS_WHERE_INST(dname, T, _)                      \
  MLX_TS_INSTANTIATE("where_g_" #dname, where_g<T>)         \
  MLX_TS_INSTANTIATE("copy_g_" #dname, copy_g<T>)           \
  MLX_TS_INSTANTIATE("copy_into_g_" #dname, copy_into_g<T>) \
  MLX_TS_INSTANTIATE("fill_" #dname, fill<T>)
// clang-format on
MLX_TS_METAL_FLOATS(MLX_TS_WHERE_INST, _)
MLX_TS_METAL_INTS(MLX_TS_WHERE_INST, _)

#define MLX_TS_ASTYPE_TO(dto, U, dfrom, T) MLX_TS_INSTANTIATE("astype_g_" #dfrom "_" #dto, astype_g<T, U>)
#define MLX_TS_ASTYPE_FROM(dfrom, T, _) MLX_TS_ASTYPE_TARGETS(MLX_TS_ASTYPE_TO, dfrom, T)
MLX_TS_METAL_FLOATS(MLX_TS_ASTYPE_FROM, _)
MLX_TS_METAL_INTS(MLX_TS_ASTYPE_FROM, _)
