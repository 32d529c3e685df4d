// Walking strided views. NdIter visits several equally shaped operands in row-major order, merging
// dimensions that are contiguous in every operand, and hands out rows (the innermost run) so that
// kernels keep a tight inner loop with a stride-1 fast path.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "program.h"

namespace mlx_cpu {

template <int N>
class NdIter {
 public:
  // Operand k lives at offsets[k] + sum(index[d] * strides[k][d]).
  NdIter(int ndim, const int64_t* shape, const std::array<const int64_t*, N>& strides,
         const std::array<int64_t, N>& offsets)
      : base_(offsets) {
    size_ = 1;
    for (int d = 0; d < ndim; ++d) size_ *= shape[d];
    ndim_ = 0;
    for (int d = 0; d < ndim; ++d) {
      if (shape[d] == 1) continue;
      bool merge = ndim_ > 0;
      for (int k = 0; k < N && merge; ++k) merge = strides_[ndim_ - 1][k] == shape[d] * strides[k][d];
      if (merge) {
        shape_[ndim_ - 1] *= shape[d];
        for (int k = 0; k < N; ++k) strides_[ndim_ - 1][k] = strides[k][d];
      } else {
        shape_[ndim_] = shape[d];
        for (int k = 0; k < N; ++k) strides_[ndim_][k] = strides[k][d];
        ++ndim_;
      }
    }
    if (ndim_ == 0) {
      ndim_ = 1;
      shape_[0] = 1;
      strides_[0].fill(0);
    }
  }

  int64_t size() const { return size_; }

  // Calls row(offsets, count, inner_strides) for the rows covering linear indices [begin, end).
  template <class Row>
  void for_range(int64_t begin, int64_t end, Row&& row) const {
    if (begin >= end) return;
    const int last = ndim_ - 1;
    int64_t index[kMaxDims];
    std::array<int64_t, N> off = base_;
    int64_t rem = begin;
    for (int d = last; d >= 0; --d) {
      index[d] = rem % shape_[d];
      rem /= shape_[d];
      for (int k = 0; k < N; ++k) off[k] += index[d] * strides_[d][k];
    }
    const int64_t* inner = strides_[last].data();
    int64_t pos = begin;
    for (;;) {
      const int64_t count = std::min(shape_[last] - index[last], end - pos);
      row(off.data(), count, inner);
      pos += count;
      if (pos >= end) return;
      // The row ended at the end of the innermost dimension: rewind it and carry outward.
      for (int k = 0; k < N; ++k) off[k] -= index[last] * inner[k];
      index[last] = 0;
      for (int d = last - 1; d >= 0; --d) {
        for (int k = 0; k < N; ++k) off[k] += strides_[d][k];
        if (++index[d] < shape_[d]) break;
        for (int k = 0; k < N; ++k) off[k] -= shape_[d] * strides_[d][k];
        index[d] = 0;
      }
    }
  }

  template <class Row>
  void for_all(Row&& row) const {
    for_range(0, size_, row);
  }

 private:
  int ndim_;
  int64_t size_;
  int64_t shape_[kMaxDims];
  std::array<int64_t, N> strides_[kMaxDims];
  std::array<int64_t, N> base_;
};

// Elements per parallel_for chunk for cheap elementwise work.
constexpr int64_t kElementwiseGrain = 1 << 15;

bool is_row_contiguous(const View& v);

// Copies a view's elements in row-major order into dst (contiguous).
void copy_to_contiguous(const View& src, void* dst);

// Copies a view into a strided destination window of the same shape.
void copy_into(const View& src, char* dst_base, const int64_t* dst_strides, int64_t dst_offset);

// A view's elements contiguous in row-major order: the view's own memory when it already is,
// otherwise a private copy.
class Dense {
 public:
  explicit Dense(const View& v);
  template <class T>
  const T* data() const {
    return reinterpret_cast<const T*>(ptr_);
  }

 private:
  std::unique_ptr<char[]> owned_;
  const char* ptr_;
};

// Products of a shape's dimensions before, at and after an axis: the [outer, axis, inner] form
// that axis kernels iterate.
struct AxisSplit {
  int64_t outer = 1, n = 1, inner = 1;
  AxisSplit(const View& v, int axis);
};

int normalize_axis(int64_t axis, int ndim);

// Throws unless a and b have one shape; `what` names a in the message.
void check_same_shape(const View& a, const View& b, const char* what);

std::string shape_string(const View& v);

}  // namespace mlx_cpu
