// Shared by every kernel file: the dtype list, strided indexing and the instantiation macro. Under
// Metal this is MSL; under the Linux shim (shim/metal_shim.h, included first) the same text is C++17.
#pragma once

#ifdef __METAL_VERSION__
#include <metal_stdlib>
#endif
using namespace metal;

// Kernel names the host asks for: `<family>_<op>_<dtype>`, one instantiation per name. Under Metal a
// host_name instantiation; the shim's harness builds its registry from the same lists instead.
#ifdef __METAL_VERSION__
#define MLX_TS_INSTANTIATE(name, ...) template [[host_name(name)]] [[kernel]] decltype(__VA_ARGS__) __VA_ARGS__;
#else
#define MLX_TS_INSTANTIATE(name, ...)
#endif

// A pointer into threadgroup memory, as a helper's parameter. The shim turns `threadgroup` into
// `static` (for the arrays kernels declare), which a parameter cannot be, so parameters spell it so.
#ifdef __METAL_VERSION__
#define MLX_TS_THREADGROUP_PTR(T) threadgroup T*
#else
#define MLX_TS_THREADGROUP_PTR(T) T*
#endif

// The float dtypes Metal has (no float64: it runs on the CPU over the same buffer).
#define MLX_TS_METAL_FLOATS(X, ...) \
  X(float32, float, __VA_ARGS__) X(float16, half, __VA_ARGS__) X(bfloat16, bfloat, __VA_ARGS__)
#define MLX_TS_METAL_INTS(X, ...) X(int32, int, __VA_ARGS__) X(uint32, uint, __VA_ARGS__)

// The element `i` (row-major over `shape`) of a strided view: `offset + sum(index_d * strides_d)`.
inline long strided_loc(uint i, constant const int* shape, constant const long* strides, int ndim) {
  long loc = 0;
  for (int d = ndim - 1; d >= 0; --d) {
    const uint n = uint(shape[d]);
    loc += long(i % n) * strides[d];
    i /= n;
  }
  return loc;
}
