// The primitives this addon runs, in opcode order. Names are core's primitive names; the addon
// exports this list and the TypeScript wrapper derives its opcode table from it. The elementwise
// unary and binary primitives come first, abs through logicalOr (compiled.cc relies on it).
#pragma once

#include <cstdint>

namespace mlx_cpu {

#define MLX_TS_OPS(X)                                                                                   \
  X(abs) X(negative) X(sign) X(square) X(floor) X(ceil) X(round) X(exp) X(log) X(log1p) X(expm1)      \
  X(sin) X(cos) X(tan) X(tanh) X(sinh) X(cosh) X(arcsin) X(arccos) X(arctan) X(arcsinh) X(arccosh)    \
  X(arctanh) X(sqrt) X(rsqrt) X(sigmoid) X(erf) X(erfinv) X(isnan) X(isinf) X(logicalNot)            \
  X(add) X(subtract) X(multiply) X(divide) X(power) X(arctan2) X(maximum) X(minimum) X(floorDivide)   \
  X(remainder) X(equal) X(notEqual) X(greater) X(greaterEqual) X(less) X(lessEqual) X(logicalAnd)     \
  X(logicalOr) X(sum) X(prod) X(max) X(min) X(argmax) X(argmin) X(cumsum) X(cumprod) X(cummax)        \
  X(cummin) X(astype) X(where) X(sort) X(argsort) X(softmax) X(logsumexp) X(concatenate) X(pad) X(gather) X(gatherAxis)       \
  X(scatter) X(scatterAxis) X(matmul) X(arange) X(randomBits) X(compiled) X(divmod) X(topk) \
  X(convolution)

enum class Op : int32_t {
#define MLX_TS_OP_ENUM(name) name,
  MLX_TS_OPS(MLX_TS_OP_ENUM)
#undef MLX_TS_OP_ENUM
};

#define MLX_TS_OP_COUNT_ONE(name) +1
constexpr int kOpCount = 0 MLX_TS_OPS(MLX_TS_OP_COUNT_ONE);
#undef MLX_TS_OP_COUNT_ONE

const char* op_name(Op op);

}  // namespace mlx_cpu
