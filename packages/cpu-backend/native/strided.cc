#include "strided.h"

#include <cstring>
#include <string>

#include "parallel.h"

namespace mlx_cpu {

bool is_row_contiguous(const View& v) {
  int64_t expected = 1;
  for (int d = v.ndim - 1; d >= 0; --d) {
    if (v.shape[d] == 0) return true;
    if (v.shape[d] == 1) continue;
    if (v.strides[d] != expected) return false;
    expected *= v.shape[d];
  }
  return true;
}

void copy_into(const View& src, char* dst_base, const int64_t* dst_strides, int64_t dst_offset) {
  if (src.size == 0) return;
  dispatch_width(src.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* dst = reinterpret_cast<T*>(dst_base);
    const T* from = reinterpret_cast<const T*>(src.base);
    NdIter<2> it(src.ndim, src.shape, {dst_strides, src.strides}, {dst_offset, src.offset});
    for_each_row(it, kElementwiseGrain, [&](const int64_t* o, int64_t n, const int64_t* s) {
      T* y = dst + o[0];
      const T* x = from + o[1];
      if (s[0] == 1 && s[1] == 1) {
        std::memcpy(y, x, size_t(n) * sizeof(T));
      } else {
        for (int64_t i = 0; i < n; ++i) y[i * s[0]] = x[i * s[1]];
      }
    });
  });
}

void copy_to_contiguous(const View& src, void* dst) {
  int64_t strides[kMaxDims];
  int64_t stride = 1;
  for (int d = src.ndim - 1; d >= 0; --d) {
    strides[d] = stride;
    stride *= src.shape[d];
  }
  copy_into(src, static_cast<char*>(dst), strides, 0);
}

Dense::Dense(const View& v) {
  if (is_row_contiguous(v)) {
    ptr_ = reinterpret_cast<const char*>(v.base) + v.offset * itemsize(v.dtype);
  } else {
    owned_ = Scratch<char>(size_t(v.size) * size_t(itemsize(v.dtype)));
    copy_to_contiguous(v, owned_.get());
    ptr_ = owned_.get();
  }
}

AxisSplit::AxisSplit(const View& v, int axis) {
  for (int d = 0; d < v.ndim; ++d) (d < axis ? outer : d == axis ? n : inner) *= v.shape[d];
}

int normalize_axis(int64_t axis, int ndim) {
  if (axis < -ndim || axis >= ndim) {
    throw Error("axis " + std::to_string(axis) + " is out of range for " + std::to_string(ndim) + " dimensions");
  }
  return int(axis < 0 ? axis + ndim : axis);
}

std::string shape_string(const View& v) {
  std::string out = "[";
  for (int d = 0; d < v.ndim; ++d) out += (d ? "," : "") + std::to_string(v.shape[d]);
  return out + "]";
}

void check_same_shape(const View& a, const View& b, const char* what) {
  bool same = a.ndim == b.ndim;
  for (int d = 0; same && d < a.ndim; ++d) same = a.shape[d] == b.shape[d];
  if (!same) throw Error(std::string(what) + " has shape " + shape_string(a) + ", expected " + shape_string(b));
}

}  // namespace mlx_cpu
