// sum, prod, max, min and argmax, argmin over the last axis of contiguous rows: one threadgroup
// per row, each thread folds a strided part of the row, then the simd-group folds its lanes
// (shuffles, so NaN propagates as in the CPU backend), then the first simd-group folds the groups'
// results from threadgroup memory. The host makes the reduced axes last and contiguous (a copy
// through copy_g) before it dispatches.
#include "common.h"

constant constexpr uint kReduceThreads = 256;

struct SumOp {
  static float init() { return 0.0f; }
  float operator()(float a, float b) const { return a + b; }
};
struct ProdOp {
  static float init() { return 1.0f; }
  float operator()(float a, float b) const { return a * b; }
};
struct MaxOp {
  static float init() { return -metal::numeric_limits<float>::infinity(); }
  float operator()(float a, float b) const { return metal::isnan(a) || metal::isnan(b) ? a + b : a < b ? b : a; }
};
struct MinOp {
  static float init() { return metal::numeric_limits<float>::infinity(); }
  float operator()(float a, float b) const { return metal::isnan(a) || metal::isnan(b) ? a + b : b < a ? b : a; }
};

template <typename Op>
float simd_fold(float acc) {
  for (uint offset = 16; offset > 0; offset /= 2) acc = Op()(acc, simd_shuffle_down(acc, offset));
  return acc;
}

template <typename T, typename Op>
[[kernel]] void reduce_row(device const T* in [[buffer(0)]], device T* out [[buffer(1)]],
                           constant const uint& n [[buffer(2)]], uint row [[threadgroup_position_in_grid]],
                           uint lid [[thread_index_in_threadgroup]], uint lane [[thread_index_in_simdgroup]],
                           uint sg [[simdgroup_index_in_threadgroup]]) {
  threadgroup float partial[kReduceThreads / 32];
  float acc = Op::init();
  for (uint j = lid; j < n; j += kReduceThreads) acc = Op()(acc, float(in[ulong(row) * n + j]));
  acc = simd_fold<Op>(acc);
  if (lane == 0) partial[sg] = acc;
  threadgroup_barrier(mem_flags::mem_threadgroup);
  if (sg == 0) {
    acc = lane < kReduceThreads / 32 ? partial[lane] : Op::init();
    acc = simd_fold<Op>(acc);
    if (lane == 0) out[row] = T(acc);
  }
}

// The better of two (value, index) candidates: NaN beats any number (the first NaN wins), then the
// larger (argmax) or smaller (argmin) value, then the smaller index.
template <bool IsMax>
bool better(float v, uint i, float bv, uint bi) {
  if (metal::isnan(bv)) return metal::isnan(v) && i < bi;
  if (metal::isnan(v)) return true;
  if (v == bv) return i < bi;
  return IsMax ? v > bv : v < bv;
}

template <typename T, bool IsMax>
[[kernel]] void argreduce_row(device const T* in [[buffer(0)]], device uint* out [[buffer(1)]],
                              constant const uint& n [[buffer(2)]], uint row [[threadgroup_position_in_grid]],
                              uint lid [[thread_index_in_threadgroup]], uint lane [[thread_index_in_simdgroup]],
                              uint sg [[simdgroup_index_in_threadgroup]]) {
  threadgroup float pv[kReduceThreads / 32];
  threadgroup uint pi[kReduceThreads / 32];
  const float none = IsMax ? -metal::numeric_limits<float>::infinity() : metal::numeric_limits<float>::infinity();
  float bv = none;
  uint bi = 0xffffffffu;
  for (uint j = lid; j < n; j += kReduceThreads) {
    const float v = float(in[ulong(row) * n + j]);
    if (better<IsMax>(v, j, bv, bi)) bv = v, bi = j;
  }
  for (uint offset = 16; offset > 0; offset /= 2) {
    const float v = simd_shuffle_down(bv, offset);
    const uint i = simd_shuffle_down(bi, offset);
    if (better<IsMax>(v, i, bv, bi)) bv = v, bi = i;
  }
  if (lane == 0) pv[sg] = bv, pi[sg] = bi;
  threadgroup_barrier(mem_flags::mem_threadgroup);
  if (sg == 0) {
    bv = lane < kReduceThreads / 32 ? pv[lane] : none;
    bi = lane < kReduceThreads / 32 ? pi[lane] : 0xffffffffu;
    for (uint offset = 16; offset > 0; offset /= 2) {
      const float v = simd_shuffle_down(bv, offset);
      const uint i = simd_shuffle_down(bi, offset);
      if (better<IsMax>(v, i, bv, bi)) bv = v, bi = i;
    }
    // An all -inf (argmax) row never beats `none` by value: the index tie-break picks 0 then.
    if (lane == 0) out[row] = bi == 0xffffffffu ? 0u : bi;
  }
}

#define MLX_TS_REDUCE_OPS(X, ...) \
  X(sum, SumOp, __VA_ARGS__) X(prod, ProdOp, __VA_ARGS__) X(max, MaxOp, __VA_ARGS__) X(min, MinOp, __VA_ARGS__)
#define MLX_TS_REDUCE_INST(dname, T, op, Op) MLX_TS_INSTANTIATE("reduce_row_" #op "_" #dname, reduce_row<T, Op>)
#define MLX_TS_REDUCE_EACH(op, Op, _) MLX_TS_METAL_FLOATS(MLX_TS_REDUCE_INST, op, Op)
MLX_TS_REDUCE_OPS(MLX_TS_REDUCE_EACH, _)
#define MLX_TS_ARG_INST(dname, T, _)                                         \
  MLX_TS_INSTANTIATE("argreduce_row_argmax_" #dname, argreduce_row<T, true>) \
  MLX_TS_INSTANTIATE("argreduce_row_argmin_" #dname, argreduce_row<T, false>)
MLX_TS_METAL_FLOATS(MLX_TS_ARG_INST, _)
