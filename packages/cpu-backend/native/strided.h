// Walking strided views. NdIter visits several equally shaped operands in row-major order, merging
// dimensions that are contiguous in every operand, and hands out rows (the innermost run) so that
// kernels keep a tight inner loop with a stride-1 fast path.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "parallel.h"
#include "program.h"
#include "scratch.h"

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

  // Tiled traversal for transposed operands: when some operand steps by one element along an
  // outer dimension but not along the innermost one, reading it row by row touches a new cache
  // line per element. tile_dim finds that outer dimension (false when there is none worth
  // tiling); for_tiles then visits tasks [first, last) of tile_tasks(td), each a block of kTileRows
  // indices of td crossed with the innermost dimension in runs of kTileCols, so every line read
  // or written is used whole while it is in L1.
  static constexpr int64_t kTileRows = 64, kTileCols = 16;

  bool tile_dim(int* td) const {
    const int last = ndim_ - 1;
    if (last < 1 || shape_[last] < 16) return false;
    for (int k = 0; k < N; ++k) {
      const int64_t inner = strides_[last][k];
      if (inner == 1 || inner == -1 || inner == 0) continue;
      for (int d = last - 1; d >= 0; --d) {
        if ((strides_[d][k] == 1 || strides_[d][k] == -1) && shape_[d] >= 16) {
          *td = d;
          return true;
        }
      }
    }
    return false;
  }

  int64_t tile_tasks(int td) const {
    return size_ / (shape_[td] * shape_[ndim_ - 1]) * ((shape_[td] + kTileRows - 1) / kTileRows);
  }

  template <class Row>
  void for_tiles(int td, int64_t first, int64_t last_task, Row&& row) const {
    const int last = ndim_ - 1;
    const int64_t blocks = (shape_[td] + kTileRows - 1) / kTileRows;
    const int64_t cols = shape_[last];
    const int64_t* inner = strides_[last].data();
    for (int64_t t = first; t < last_task; ++t) {
      int64_t outer = t / blocks;
      const int64_t i0 = (t % blocks) * kTileRows, i1 = std::min(shape_[td], i0 + kTileRows);
      std::array<int64_t, N> off = base_;
      for (int d = last - 1; d >= 0; --d) {
        if (d == td) continue;
        const int64_t i = outer % shape_[d];
        outer /= shape_[d];
        for (int k = 0; k < N; ++k) off[k] += i * strides_[d][k];
      }
      for (int64_t j0 = 0; j0 < cols; j0 += kTileCols) {
        const int64_t count = std::min(kTileCols, cols - j0);
        for (int64_t i = i0; i < i1; ++i) {
          std::array<int64_t, N> o = off;
          for (int k = 0; k < N; ++k) o[k] += i * strides_[td][k] + j0 * inner[k];
          row(o.data(), count, inner);
        }
      }
    }
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

// Calls row(offsets, count, inner_strides) over every element of `it`, on the thread pool in
// chunks of about `grain` elements: in row-major order, or in tiles when an operand is read
// across rows (NdIter::tile_dim). Rows never overlap, so each element is visited once.
template <int N, class Row>
void for_each_row(const NdIter<N>& it, int64_t grain, Row&& row) {
  int td;
  if (it.tile_dim(&td)) {
    const int64_t tasks = it.tile_tasks(td);
    const int64_t per_task = tasks > 0 ? it.size() / tasks : 1;
    parallel_for(tasks, std::max<int64_t>(1, grain / std::max<int64_t>(per_task, 1)),
                 [&](int64_t b, int64_t e) { it.for_tiles(td, b, e, row); });
    return;
  }
  parallel_for(it.size(), grain, [&](int64_t b, int64_t e) { it.for_range(b, e, row); });
}

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
  Scratch<char> owned_;
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
