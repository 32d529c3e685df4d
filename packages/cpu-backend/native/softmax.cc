// softmax and logsumexp along an axis. Per lane: m = the max (0 where it is infinite, as ops'
// composition does), e = exp(x - m); softmax writes e / sum(e), logsumexp
// log(sum(e)) + m. A contiguous float32/float64 lane is read in place and softmax's exps land in
// its output row, so a row is read once from memory and written once, the passes in between
// running in cache; other lanes are gathered into a float32 (float64) buffer first. Lanes run in
// parallel, and the passes over a long lane too when there are fewer lanes than threads.
// float16/bfloat16 compute in float32.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include "functors.h"
#include "kernels.h"
#include "parallel.h"
#include "strided.h"

namespace mlx_cpu {

namespace {

// Partial sums per vector lane, so that the sum vectorizes (16 floats: two AVX registers); they
// combine in a fixed order, so results do not depend on the thread count.
constexpr int kParts = 16;

// The largest non-NaN element (-inf if none), one 32-byte vector of maxima at a time: GCC
// vectorizes a select over a vector type, not over an array of partial results.
template <class C>
C max_ignoring_nan(const C* v, int64_t n) {
  constexpr int kWidth = 32 / int(sizeof(C));
  typedef C Vec __attribute__((vector_size(32)));
  Vec m;
  for (int j = 0; j < kWidth; ++j) m[j] = -std::numeric_limits<C>::infinity();
  int64_t k = 0;
  for (; k + kWidth <= n; k += kWidth) {
    Vec x;
    std::memcpy(&x, v + k, sizeof x);
    m = x > m ? x : m;
  }
  C r = -std::numeric_limits<C>::infinity();
  for (int j = 0; j < kWidth; ++j) r = m[j] > r ? m[j] : r;
  for (; k < n; ++k) r = v[k] > r ? v[k] : r;
  return r;
}

// exp(v - m) for n elements into out (when not null); returns their sum, from kParts partial
// sums combined in a fixed order.
template <class C>
C exp_sum(const C* v, C* out, int64_t n, C m) {
  C part[kParts] = {};
  int64_t k = 0;
  if (out) {
    for (; k + kParts <= n; k += kParts) {
      for (int j = 0; j < kParts; ++j) {
        const C t = fn::Exp{}(C(v[k + j] - m));
        out[k + j] = t;
        part[j] += t;
      }
    }
  } else {
    for (; k + kParts <= n; k += kParts) {
      for (int j = 0; j < kParts; ++j) part[j] += fn::Exp{}(C(v[k + j] - m));
    }
  }
  for (; k < n; ++k) {
    const C t = fn::Exp{}(C(v[k] - m));
    if (out) out[k] = t;
    part[0] += t;
  }
  C sum = 0;
  for (int j = 0; j < kParts; ++j) sum += part[j];
  return sum;
}

// A lane longer than kBlock sums its exps block by block, the block sums added in order, so it
// gives the same bits whether its blocks run on one thread or on several (a lane alone, or one
// of fewer lanes than threads, splits its passes over the pool).
constexpr int64_t kBlock = int64_t(1) << 15;

// Runs fn(b0, b1) over block ranges of n elements: split over the pool when `wide`.
template <class F>
void blocks_of(int64_t n, bool wide, F&& fn) {
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  if (wide)
    parallel_for(blocks, 1, fn);
  else
    fn(int64_t(0), blocks);
}

// For each lane along `axis`: computes m, the lane's max (0 where it is infinite, as ops'
// composition does), and sum, the sum of exp(x - m), and calls done(lane, start, e, m, sum, i0,
// i1) for element ranges [i0, i1) covering the lane, with e the exps (nullptr unless `keep`). A
// contiguous float32/float64 lane is read in place and its exps go to exps_at(start) (softmax's
// output row, so that a row costs one read and one write of memory); any other lane is first
// loaded into a compute-type buffer, which then holds the exps.
template <class T, bool keep, class At, class Done>
void each_lane(const Step& s, int axis, At exps_at, Done done) {
  using C = value_t<T>;
  const View& x = s.input(0);
  const AxisSplit split(x, axis);
  const Dense dense(x);
  const T* xp = dense.data<T>();
  const int64_t n = split.n, inner = split.inner;
  const int64_t lanes = split.outer * inner;
  constexpr bool same = std::is_same_v<T, C>;
  const bool in_place = same && inner == 1;
  const auto lane_fn = [&](int64_t lane, std::vector<C>& buffer, bool wide) {
    const int64_t start = (lane / inner) * n * inner + lane % inner;
    const T* in = xp + start;
    const C* v;
    C* out = nullptr;
    if constexpr (same) {
      if (in_place) v = in, out = keep ? exps_at(start) : nullptr;
    }
    if (!in_place) {
      blocks_of(n, wide, [&](int64_t b0, int64_t b1) {
        for (int64_t k = b0 * kBlock; k < std::min(n, b1 * kBlock); ++k) buffer[size_t(k)] = load(in[k * inner]);
      });
      v = buffer.data();
      out = keep ? buffer.data() : nullptr;
    }
    const int64_t blocks = (n + kBlock - 1) / kBlock;
    std::vector<C> partial(size_t(std::max<int64_t>(blocks, 1)));
    const auto len = [&](int64_t blk) { return std::min(kBlock, n - blk * kBlock); };

    // A NaN needs no check here: it makes the sum NaN, and with it every output.
    blocks_of(n, wide, [&](int64_t b0, int64_t b1) {
      for (int64_t blk = b0; blk < b1; ++blk) partial[size_t(blk)] = max_ignoring_nan(v + blk * kBlock, len(blk));
    });
    C m = -std::numeric_limits<C>::infinity();
    for (int64_t blk = 0; blk < blocks; ++blk) m = partial[size_t(blk)] > m ? partial[size_t(blk)] : m;
    if (std::isinf(m)) m = 0;

    blocks_of(n, wide, [&](int64_t b0, int64_t b1) {
      for (int64_t blk = b0; blk < b1; ++blk)
        partial[size_t(blk)] = exp_sum(v + blk * kBlock, out ? out + blk * kBlock : nullptr, len(blk), m);
    });
    C sum = 0;
    for (int64_t blk = 0; blk < blocks; ++blk) sum += partial[size_t(blk)];
    blocks_of(n, wide, [&](int64_t b0, int64_t b1) {
      done(lane, start, out, m, sum, std::min(n, b0 * kBlock), std::min(n, b1 * kBlock));
    });
  };
  // Fewer long lanes than threads: one lane at a time, each pass split over the pool.
  if (lanes < pool_threads() && n >= 2 * kBlock && !in_parallel_region()) {
    std::vector<C> buffer(in_place ? 0 : static_cast<size_t>(n));
    for (int64_t lane = 0; lane < lanes; ++lane) lane_fn(lane, buffer, true);
    return;
  }
  parallel_for(lanes, std::max<int64_t>(1, (int64_t(1) << 14) / std::max<int64_t>(n, 1)), [&](int64_t b, int64_t e) {
    std::vector<C> buffer(in_place ? 0 : static_cast<size_t>(n));
    for (int64_t lane = b; lane < e; ++lane) lane_fn(lane, buffer, false);
  });
}

template <class T>
void softmax_axis(const Step& s, int axis) {
  const int64_t inner = AxisSplit(s.out, axis).inner;
  T* yp = s.out.at<T>();
  using C = value_t<T>;
  each_lane<T, true>(
      s, axis, [&](int64_t start) { return reinterpret_cast<C*>(yp + start); },
      [&](int64_t, int64_t start, const C* e, C, C sum, int64_t i0, int64_t i1) {
        T* out = yp + start;
        for (int64_t i = i0; i < i1; ++i) out[i * inner] = to<T>(e[i] / sum);
      });
}

template <class T>
void logsumexp_axis(const Step& s, int axis) {
  T* yp = s.out.at<T>();
  using C = value_t<T>;
  each_lane<T, false>(
      s, axis, [](int64_t) { return static_cast<C*>(nullptr); },
      [&](int64_t lane, int64_t, const C*, C m, C sum, int64_t i0, int64_t) {
        if (i0 == 0) yp[lane] = to<T>(std::log(sum) + m);
      });
}

}  // namespace

void softmax(const Step& s) {
  s.expect_inputs(1);
  s.expect_params(1);
  const View& x = s.input(0);
  if (s.out.dtype != x.dtype) throw Error("unexpected output dtype");
  const int axis = normalize_axis(s.int_param(0), x.ndim);
  const bool lse = s.op == Op::logsumexp;
  bool ok = x.ndim == s.out.ndim;
  for (int d = 0; ok && d < x.ndim; ++d) ok = s.out.shape[d] == (lse && d == axis ? 1 : x.shape[d]);
  if (!ok) throw Error("output shape " + shape_string(s.out) + " does not fit input " + shape_string(x));
  dispatch_float(x.dtype, op_name(s.op), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if (lse)
      logsumexp_axis<T>(s, axis);
    else
      softmax_axis<T>(s, axis);
  });
}

}  // namespace mlx_cpu
