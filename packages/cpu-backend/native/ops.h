// The primitives this addon runs, in opcode order. Names are core's primitive names; the addon
// exports them (opNames, and elementwiseOps for the elementwise ones) and the TypeScript wrapper
// derives its opcode table and the generated kernels' forms from them, checking them against
// core's families when it loads the addon.
#pragma once

#include <cstdint>

namespace mlx_cpu {

// The elementwise primitives, X(name, family, functor, kind), first in opcode order (compiled.cc
// tells them by opcode). `family` is the kernel entry point that runs it (unary or binary,
// kernels.h), `functor` its scalar function (functors.h), `kind` the dtypes it takes and gives:
// any_dtype (every dtype, output of the input's), float_only (floating dtypes, output of the
// input's), int_only (integer dtypes, not bool, output of the input's) or predicate (every dtype,
// bool output). The switches that run them (program.cc,
// unary.cc, binary.cc) are generated from this list, and core's families
// (core/src/ir/primitives.ts) must list the same ops by family and kind.
// A table laid out by hand: kept out of clang-format.
// clang-format off
#define MLX_TS_ELEMENTWISE_OPS(X)                                                                       \
  X(abs, unary, Abs, any_dtype) X(negative, unary, Negative, any_dtype) X(sign, unary, Sign, any_dtype) \
  X(square, unary, Square, any_dtype) X(floor, unary, Floor, any_dtype) X(ceil, unary, Ceil, any_dtype) \
  X(round, unary, Round, any_dtype) X(exp, unary, Exp, float_only) X(log, unary, Log, float_only)       \
  X(log1p, unary, Log1p, float_only) X(expm1, unary, Expm1, float_only) X(sin, unary, Sin, float_only)  \
  X(cos, unary, Cos, float_only) X(tan, unary, Tan, float_only) X(tanh, unary, Tanh, float_only)        \
  X(sinh, unary, Sinh, float_only) X(cosh, unary, Cosh, float_only) X(arcsin, unary, Arcsin, float_only) \
  X(arccos, unary, Arccos, float_only) X(arctan, unary, Arctan, float_only)                             \
  X(arcsinh, unary, Arcsinh, float_only) X(arccosh, unary, Arccosh, float_only)                         \
  X(arctanh, unary, Arctanh, float_only) X(sqrt, unary, Sqrt, float_only) X(rsqrt, unary, Rsqrt, float_only) \
  X(sigmoid, unary, Sigmoid, float_only) X(erf, unary, Erf, float_only) X(erfinv, unary, Erfinv, float_only) \
  X(isnan, unary, IsNan, predicate) X(isinf, unary, IsInf, predicate)                                   \
  X(logicalNot, unary, LogicalNot, predicate) X(add, binary, Add, any_dtype)                            \
  X(subtract, binary, Subtract, any_dtype) X(multiply, binary, Multiply, any_dtype)                     \
  X(divide, binary, Divide, float_only) X(power, binary, Power, any_dtype)                              \
  X(arctan2, binary, Arctan2, float_only) X(maximum, binary, Maximum, any_dtype)                        \
  X(minimum, binary, Minimum, any_dtype) X(floorDivide, binary, FloorDivide, any_dtype)                 \
  X(remainder, binary, Remainder, any_dtype) X(equal, binary, Equal, predicate)                         \
  X(notEqual, binary, NotEqual, predicate) X(greater, binary, Greater, predicate)                       \
  X(greaterEqual, binary, GreaterEqual, predicate) X(less, binary, Less, predicate)                     \
  X(lessEqual, binary, LessEqual, predicate) X(logicalAnd, binary, LogicalAnd, predicate)               \
  X(logicalOr, binary, LogicalOr, predicate) X(bitwiseInvert, unary, BitwiseInvert, int_only)          \
  X(bitwiseAnd, binary, BitwiseAnd, int_only) X(bitwiseOr, binary, BitwiseOr, int_only)                 \
  X(bitwiseXor, binary, BitwiseXor, int_only) X(leftShift, binary, LeftShift, int_only)                 \
  X(rightShift, binary, RightShift, int_only)
// clang-format on

// Every other primitive, X(name), after the elementwise ones.
// A table laid out by hand: kept out of clang-format.
// clang-format off
#define MLX_TS_OTHER_OPS(X)                                                                             \
  X(sum) X(prod) X(max) X(min) X(argmax) X(argmin) X(cumsum) X(cumprod) X(cummax)                      \
  X(cummin) X(astype) X(where) X(sort) X(argsort) X(softmax) X(logsumexp) X(concatenate) X(pad) X(gather) X(gatherAxis)       \
  X(scatter) X(scatterAxis) X(matmul) X(arange) X(randomBits) X(compiled) X(divmod) X(topk) X(convolution)          \
  X(quantizedMatmul) X(rmsNorm) X(layerNorm) X(rope) X(scaledDotProductAttention)                                 \
  X(allReduce) X(allGather) X(send) X(recv) X(logcumsumexp) X(view)                                                 \
  X(qr) X(svd) X(inv) X(triInv) X(cholesky) X(eigh) X(luFactor) X(imag) X(conjugate) X(fft) X(eig) X(eigvals)
// clang-format on

// MLX_TS_IF_FAMILY(family, wanted)(text) is `text` when the two families are one, else nothing:
// it picks one family's entries out of MLX_TS_ELEMENTWISE_OPS.
#define MLX_TS_IF_FAMILY(family, wanted) MLX_TS_IF_FAMILY_##family##_##wanted
#define MLX_TS_IF_FAMILY_unary_unary(...) __VA_ARGS__
#define MLX_TS_IF_FAMILY_unary_binary(...)
#define MLX_TS_IF_FAMILY_binary_unary(...)
#define MLX_TS_IF_FAMILY_binary_binary(...) __VA_ARGS__

enum class Op : int32_t {
#define MLX_TS_ELEMENTWISE_OP_ENUM(name, family, functor, kind) name,
#define MLX_TS_OP_ENUM(name) name,
  MLX_TS_ELEMENTWISE_OPS(MLX_TS_ELEMENTWISE_OP_ENUM) MLX_TS_OTHER_OPS(MLX_TS_OP_ENUM)
#undef MLX_TS_OP_ENUM
#undef MLX_TS_ELEMENTWISE_OP_ENUM
};

#define MLX_TS_ELEMENTWISE_OP_COUNT_ONE(name, family, functor, kind) +1
#define MLX_TS_OP_COUNT_ONE(name) +1
constexpr int kElementwiseOpCount = 0 MLX_TS_ELEMENTWISE_OPS(MLX_TS_ELEMENTWISE_OP_COUNT_ONE);
constexpr int kOpCount = kElementwiseOpCount MLX_TS_OTHER_OPS(MLX_TS_OP_COUNT_ONE);
#undef MLX_TS_OP_COUNT_ONE
#undef MLX_TS_ELEMENTWISE_OP_COUNT_ONE

const char* op_name(Op op);

}  // namespace mlx_cpu
