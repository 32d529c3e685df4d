// sort and argsort along the last axis of contiguous rows of at most kSortMax elements: one
// threadgroup per row runs a bitonic network over (key, index) pairs in threadgroup memory. Ties
// break by index, so the result is the stable sort the CPU backend gives (ascending, -0 equal to
// 0, NaN last). Rows pad to a power of two with NaN keys of indices past the row, which sort last.
// Longer rows (a merge across threadgroups) run on the CPU.
#include "common.h"

constant constexpr uint kSortThreads = 256;
constant constexpr uint kSortMax = 512;

// Whether (a, ia) goes before (b, ib).
inline bool sort_before(float a, uint ia, float b, uint ib) {
  const bool na = metal::isnan(a), nb = metal::isnan(b);
  if (na != nb) return nb;
  if (!na && a != b) return a < b;
  return ia < ib;
}

inline void bitonic(MLX_TS_THREADGROUP_PTR(float) keys, MLX_TS_THREADGROUP_PTR(uint) ids, uint m, uint lid) {
  for (uint k = 2; k <= m; k <<= 1) {
    for (uint j = k >> 1; j > 0; j >>= 1) {
      for (uint t = lid; t < m; t += kSortThreads) {
        const uint p = t ^ j;
        if (p > t) {
          const bool ascending = (t & k) == 0;
          const bool swap =
              ascending ? sort_before(keys[p], ids[p], keys[t], ids[t]) : sort_before(keys[t], ids[t], keys[p], ids[p]);
          if (swap) {
            const float kt = keys[t];
            keys[t] = keys[p];
            keys[p] = kt;
            const uint it = ids[t];
            ids[t] = ids[p];
            ids[p] = it;
          }
        }
      }
      threadgroup_barrier(mem_flags::mem_threadgroup);
    }
  }
}

inline uint pow2_at_least(uint n) {
  uint m = 1;
  while (m < n) m <<= 1;
  return m;
}

// The row's (key, index) pairs sorted in `keys`/`ids`.
template <typename T>
void sort_pairs(device const T* x, uint n, uint lid, MLX_TS_THREADGROUP_PTR(float) keys,
                MLX_TS_THREADGROUP_PTR(uint) ids) {
  const uint m = pow2_at_least(n);
  for (uint j = lid; j < m; j += kSortThreads) {
    keys[j] = j < n ? float(x[j]) : metal::numeric_limits<float>::quiet_NaN();
    ids[j] = j;
  }
  threadgroup_barrier(mem_flags::mem_threadgroup);
  bitonic(keys, ids, m, lid);
}

template <typename T>
[[kernel]] void sort_row_values(device const T* in [[buffer(0)]], device T* out [[buffer(1)]],
                                constant const uint& n [[buffer(2)]], uint row [[threadgroup_position_in_grid]],
                                uint lid [[thread_index_in_threadgroup]]) {
  threadgroup float keys[kSortMax];
  threadgroup uint ids[kSortMax];
  device const T* x = in + ulong(row) * n;
  sort_pairs(x, n, lid, keys, ids);
  // The values themselves, so -0 and NaN payloads come through unchanged.
  for (uint j = lid; j < n; j += kSortThreads) out[ulong(row) * n + j] = x[ids[j]];
}

template <typename T>
[[kernel]] void sort_row_indices(device const T* in [[buffer(0)]], device uint* out [[buffer(1)]],
                                 constant const uint& n [[buffer(2)]], uint row [[threadgroup_position_in_grid]],
                                 uint lid [[thread_index_in_threadgroup]]) {
  threadgroup float keys[kSortMax];
  threadgroup uint ids[kSortMax];
  sort_pairs(in + ulong(row) * n, n, lid, keys, ids);
  for (uint j = lid; j < n; j += kSortThreads) out[ulong(row) * n + j] = ids[j];
}

// clang-format off: one instantiation per line.
#define MLX_TS_SORT_INST(dname, T, _)                             \
  MLX_TS_INSTANTIATE("sort_row_sort_" #dname, sort_row_values<T>) \
  MLX_TS_INSTANTIATE("sort_row_argsort_" #dname, sort_row_indices<T>)
// clang-format on
MLX_TS_METAL_FLOATS(MLX_TS_SORT_INST, _)
