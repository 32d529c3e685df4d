// softmax along an axis. Per lane: m = the max (NaN if any element is, 0 where it is infinite,
// as ops' composition does), e = exp(x - m), out = e / sum(e). The lane sits in a float32
// (float64) buffer, so it is read once from memory and the three passes run in cache; lanes run
// in parallel. float16/bfloat16 compute in float32.
#include <cmath>
#include <limits>
#include <vector>

#include "functors.h"
#include "kernels.h"
#include "parallel.h"
#include "strided.h"

namespace mlx_cpu {

namespace {

// Partial results per vector lane, so that the max and the sum vectorize (16 floats: two AVX
// registers); they combine in a fixed order, so results do not depend on the thread count.
constexpr int kParts = 16;

template <class T>
void softmax_axis(const Step& s, int axis) {
  using C = value_t<T>;
  const View& x = s.input(0);
  const AxisSplit split(x, axis);
  const Dense dense(x);
  const T* xp = dense.data<T>();
  T* yp = s.out.at<T>();
  const int64_t n = split.n, inner = split.inner;
  const int64_t lanes = split.outer * inner;
  parallel_for(lanes, std::max<int64_t>(1, (int64_t(1) << 14) / std::max<int64_t>(n, 1)), [&](int64_t b, int64_t e) {
    std::vector<C> buffer(static_cast<size_t>(n));
    C* v = buffer.data();
    for (int64_t lane = b; lane < e; ++lane) {
      const int64_t start = (lane / inner) * n * inner + lane % inner;
      const T* in = xp + start;
      for (int64_t k = 0; k < n; ++k) v[k] = load(in[k * inner]);

      C part[kParts];
      for (int j = 0; j < kParts; ++j) part[j] = -std::numeric_limits<C>::infinity();
      int64_t k = 0;
      for (; k + kParts <= n; k += kParts) {
        for (int j = 0; j < kParts; ++j) part[j] = nan_max(part[j], v[k + j]);
      }
      for (; k < n; ++k) part[0] = nan_max(part[0], v[k]);
      C m = part[0];
      for (int j = 1; j < kParts; ++j) m = nan_max(m, part[j]);
      if (std::isinf(m)) m = 0;

      for (int j = 0; j < kParts; ++j) part[j] = 0;
      k = 0;
      for (; k + kParts <= n; k += kParts) {
        for (int j = 0; j < kParts; ++j) {
          const C t = fn::Exp{}(C(v[k + j] - m));
          v[k + j] = t;
          part[j] += t;
        }
      }
      for (; k < n; ++k) {
        const C t = fn::Exp{}(C(v[k] - m));
        v[k] = t;
        part[0] += t;
      }
      C sum = 0;
      for (int j = 0; j < kParts; ++j) sum += part[j];

      T* out = yp + start;
      for (int64_t i = 0; i < n; ++i) out[i * inner] = to<T>(v[i] / sum);
    }
  });
}

}  // namespace

void softmax(const Step& s) {
  s.expect_inputs(1);
  s.expect_params(1);
  const View& x = s.input(0);
  check_same_shape(x, s.out, "the input");
  if (s.out.dtype != x.dtype) throw Error("unexpected output dtype");
  const int axis = normalize_axis(s.int_param(0), x.ndim);
  dispatch_float(x.dtype, "softmax", [&](auto tag) { softmax_axis<typename decltype(tag)::type>(s, axis); });
}

}  // namespace mlx_cpu
