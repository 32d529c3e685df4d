// cumsum, cumprod, cummax, cummin along the last axis of contiguous rows (the host moves the axis
// last): one thread per row, in float for the float dtypes, as the CPU backend's sequential scan.
#include "common.h"

struct ScanSum {
  static float init() { return 0.0f; }
  float operator()(float a, float b) const { return a + b; }
};
struct ScanProd {
  static float init() { return 1.0f; }
  float operator()(float a, float b) const { return a * b; }
};
struct ScanMax {
  static float init() { return -metal::numeric_limits<float>::infinity(); }
  float operator()(float a, float b) const { return metal::isnan(a) || metal::isnan(b) ? a + b : a < b ? b : a; }
};
struct ScanMin {
  static float init() { return metal::numeric_limits<float>::infinity(); }
  float operator()(float a, float b) const { return metal::isnan(a) || metal::isnan(b) ? a + b : b < a ? b : a; }
};

template <typename T, typename Op>
[[kernel]] void scan_row(device const T* in [[buffer(0)]], device T* out [[buffer(1)]],
                         constant const uint& n [[buffer(2)]], constant const uint& rows [[buffer(3)]],
                         constant const uint& reverse [[buffer(4)]], constant const uint& inclusive [[buffer(5)]],
                         uint row [[thread_position_in_grid]]) {
  if (row >= rows) return;
  device const T* x = in + ulong(row) * n;
  device T* y = out + ulong(row) * n;
  float acc = Op::init();
  for (uint s = 0; s < n; ++s) {
    const uint j = reverse ? n - 1 - s : s;
    const float v = float(x[j]);
    if (inclusive) {
      acc = s == 0 ? v : Op()(acc, v);
      y[j] = T(acc);
    } else {
      y[j] = T(acc);
      acc = Op()(acc, v);
    }
  }
}

#define MLX_TS_SCAN_OPS(X, ...)   \
  X(cumsum, ScanSum, __VA_ARGS__) \
  X(cumprod, ScanProd, __VA_ARGS__) X(cummax, ScanMax, __VA_ARGS__) X(cummin, ScanMin, __VA_ARGS__)
#define MLX_TS_SCAN_INST(dname, T, op, Op) MLX_TS_INSTANTIATE("scan_row_" #op "_" #dname, scan_row<T, Op>)
#define MLX_TS_SCAN_EACH(op, Op, _) MLX_TS_METAL_FLOATS(MLX_TS_SCAN_INST, op, Op)
MLX_TS_SCAN_OPS(MLX_TS_SCAN_EACH, _)
