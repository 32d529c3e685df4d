// softmax and logsumexp over the last axis of contiguous rows, one threadgroup per row, computed in
// float: m is the row's max (0 where it is infinite, as the CPU backend's contract says), then
// sum(exp(x - m)) by simd_sum and threadgroup memory, then the outputs.
#include "common.h"

constant constexpr uint kSoftmaxThreads = 256;

inline float row_fold_max(float v, MLX_TS_THREADGROUP_PTR(float) scratch, uint lane, uint sg) {
  for (uint offset = 16; offset > 0; offset /= 2) {
    const float o = simd_shuffle_down(v, offset);
    v = metal::isnan(v) || metal::isnan(o) ? v + o : v < o ? o : v;
  }
  if (lane == 0) scratch[sg] = v;
  threadgroup_barrier(mem_flags::mem_threadgroup);
  v = scratch[0];
  for (uint k = 1; k < kSoftmaxThreads / 32; ++k) {
    const float o = scratch[k];
    v = metal::isnan(v) || metal::isnan(o) ? v + o : v < o ? o : v;
  }
  threadgroup_barrier(mem_flags::mem_threadgroup);
  return v;
}

inline float row_fold_sum(float v, MLX_TS_THREADGROUP_PTR(float) scratch, uint lane, uint sg) {
  v = simd_sum(v);
  if (lane == 0) scratch[sg] = v;
  threadgroup_barrier(mem_flags::mem_threadgroup);
  v = 0.0f;
  for (uint k = 0; k < kSoftmaxThreads / 32; ++k) v += scratch[k];
  threadgroup_barrier(mem_flags::mem_threadgroup);
  return v;
}

template <typename T, bool Log>
[[kernel]] void softmax_row(device const T* in [[buffer(0)]], device T* out [[buffer(1)]],
                            constant const uint& n [[buffer(2)]], uint row [[threadgroup_position_in_grid]],
                            uint lid [[thread_index_in_threadgroup]], uint lane [[thread_index_in_simdgroup]],
                            uint sg [[simdgroup_index_in_threadgroup]]) {
  threadgroup float scratch[kSoftmaxThreads / 32];
  device const T* x = in + ulong(row) * n;
  float m = -metal::numeric_limits<float>::infinity();
  for (uint j = lid; j < n; j += kSoftmaxThreads) {
    const float v = float(x[j]);
    m = metal::isnan(m) || metal::isnan(v) ? m + v : m < v ? v : m;
  }
  m = row_fold_max(m, scratch, lane, sg);
  if (metal::isinf(m)) m = 0.0f;
  float s = 0.0f;
  for (uint j = lid; j < n; j += kSoftmaxThreads) s += metal::exp(float(x[j]) - m);
  s = row_fold_sum(s, scratch, lane, sg);
  if (Log) {
    if (lid == 0) out[row] = T(metal::log(s) + m);
  } else {
    for (uint j = lid; j < n; j += kSoftmaxThreads) out[ulong(row) * n + j] = T(metal::exp(float(x[j]) - m) / s);
  }
}

#define MLX_TS_SOFTMAX_INST(dname, T, _)                                   \
  MLX_TS_INSTANTIATE("softmax_row_softmax_" #dname, softmax_row<T, false>) \
  MLX_TS_INSTANTIATE("softmax_row_logsumexp_" #dname, softmax_row<T, true>)
MLX_TS_METAL_FLOATS(MLX_TS_SOFTMAX_INST, _)
