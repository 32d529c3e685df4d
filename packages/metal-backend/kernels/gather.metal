// gather (take along one axis, MLX's take with an axis): one thread per output element. The output's
// dims are a's dims before `axis`, then the index array's dims, then a's dims after it; an index
// that is negative wraps once, then every index clamps into [0, n), as the CPU backend does.
#include "common.h"

// shape: the output's dims (a_ndim - 1 + idx_ndim), then a's; strides: a's, then the index array's;
// dims: a_ndim, idx_ndim, axis.
template <typename T, typename I>
[[kernel]] void gather_g(device const T* a [[buffer(0)]], device const I* idx [[buffer(1)]],
                         device T* out [[buffer(2)]], constant const int* shape [[buffer(3)]],
                         constant const long* strides [[buffer(4)]], constant const int* dims [[buffer(5)]],
                         uint i [[thread_position_in_grid]]) {
  const int an = dims[0], in = dims[1], axis = dims[2];
  const int on = an - 1 + in;
  long aloc = 0, iloc = 0;
  uint r = i;
  for (int d = on - 1; d >= 0; --d) {
    const uint n = uint(shape[d]);
    const long c = long(r % n);
    r /= n;
    if (d < axis)
      aloc += c * strides[d];
    else if (d < axis + in)
      iloc += c * strides[an + d - axis];
    else
      aloc += c * strides[d - in + 1];
  }
  const long n = long(shape[on + axis]);
  long k = long(idx[iloc]);
  if (k < 0) k += n;
  k = k < 0 ? 0 : k >= n ? n - 1 : k;
  out[i] = a[aloc + k * strides[axis]];
}

// clang-format off: one instantiation per line.
#define MLX_TS_GATHER_INST(dname, T, _)                             \
  MLX_TS_INSTANTIATE("gather_g_" #dname "_int32", gather_g<T, int>) \
  MLX_TS_INSTANTIATE("gather_g_" #dname "_uint32", gather_g<T, uint>)
// clang-format on
MLX_TS_METAL_FLOATS(MLX_TS_GATHER_INST, _)
MLX_TS_METAL_INTS(MLX_TS_GATHER_INST, _)
