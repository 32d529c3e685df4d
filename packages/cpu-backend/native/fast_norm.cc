// mx.fast's rmsNorm, layerNorm and rope. The norms run one row of the last axis at a time: the
// row is loaded once into a buffer of the compute type (float32 for 16-bit floats), its statistics
// are taken there in cache, and the output is written once; rows run in parallel. rope computes
// the cos/sin of one position's angles once (in float64) and turns every row at that position
// (all heads of one batch entry) with them; positions run in parallel.
#include <cmath>
#include <vector>

#include "kernels.h"
#include "parallel.h"
#include "strided.h"

namespace mlx_cpu {

namespace {

// Partial sums per vector lane, so that the sums vectorize; combined in a fixed order.
constexpr int kParts = 16;

template <class S, class C, class F>
S lane_sum(const C* v, int64_t n, F f) {
  S part[kParts] = {};
  int64_t k = 0;
  for (; k + kParts <= n; k += kParts)
    for (int j = 0; j < kParts; ++j) part[j] += f(v[k + j]);
  for (; k < n; ++k) part[0] += f(v[k]);
  S sum = 0;
  for (int j = 0; j < kParts; ++j) sum += part[j];
  return sum;
}

// Checks x against the output and every [D] operand after it.
void check_norm(const Step& s, int operands) {
  s.expect_inputs(1 + operands);
  s.expect_params(1);
  const View& x = s.input(0);
  if (x.ndim < 1) throw Error("expects an input of at least 1 dimension");
  check_same_shape(s.out, x, "output");
  if (s.out.dtype != x.dtype) throw Error("unexpected output dtype");
  for (int i = 1; i <= operands; ++i) {
    const View& w = s.input(i);
    if (w.ndim != 1 || w.shape[0] != x.shape[x.ndim - 1] || w.dtype != x.dtype) {
      throw Error("operand " + std::to_string(i) + " must be [" + std::to_string(x.shape[x.ndim - 1]) +
                  "] of the input's dtype, got " + shape_string(w));
    }
  }
}

template <class T>
void norm_rows(const Step& s, bool layer) {
  using C = value_t<T>;
  const View& x = s.input(0);
  const int64_t d = x.shape[x.ndim - 1];
  if (d == 0 || x.size == 0) return;
  const int64_t rows = x.size / d;
  const Dense dx(x), dw(s.input(1));
  const T* xp = dx.data<T>();
  const T* wp = dw.data<T>();
  std::vector<C> wv(static_cast<size_t>(d)), bv(static_cast<size_t>(d), C(0));
  for (int64_t k = 0; k < d; ++k) wv[k] = load(wp[k]);
  if (layer) {
    const Dense db(s.input(2));
    const T* bp = db.data<T>();
    for (int64_t k = 0; k < d; ++k) bv[k] = load(bp[k]);
  }
  const C eps = C(s.float_param(0));
  T* yp = s.out.at<T>();
  parallel_for(rows, std::max<int64_t>(1, (int64_t(1) << 14) / d), [&](int64_t b, int64_t e) {
    std::vector<C> buffer(static_cast<size_t>(d));
    C* v = buffer.data();
    for (int64_t r = b; r < e; ++r) {
      const T* in = xp + r * d;
      for (int64_t k = 0; k < d; ++k) v[k] = load(in[k]);
      // The mean in double: a constant row's is then exactly its value, so its centred values are
      // exactly 0 (a float sum's rounding, times 1 / sqrt(eps), gave 3.8e-5 where the float64
      // reference gives 0).
      C mean = 0;
      if (layer) mean = C(lane_sum<double>(v, d, [](C a) { return double(a); }) / double(d));
      const C ss = lane_sum<C>(v, d, [mean](C a) { return (a - mean) * (a - mean); });
      const C scale = C(1) / std::sqrt(ss / C(d) + eps);
      T* out = yp + r * d;
      for (int64_t k = 0; k < d; ++k) out[k] = to<T>((v[k] - mean) * scale * wv[k] + bv[k]);
    }
  });
}

template <class T>
void rope_rows(const Step& s) {
  using C = value_t<T>;
  const View& x = s.input(0);
  const int dims = int(s.int_param(0));
  const bool traditional = s.int_param(1) != 0;
  const double base = s.float_param(2), scale = s.float_param(3);
  const double sign = s.int_param(4) != 0 ? 1 : -1;
  const int64_t d = x.shape[x.ndim - 1], t = x.shape[x.ndim - 2], batch = x.shape[0];
  if (x.size == 0) return;
  const int64_t heads = x.size / (batch * t * d);
  const int half = dims / 2;
  const Dense dx(x), doff(s.input(1));
  const T* xp = dx.data<T>();
  const int32_t* offp = doff.data<int32_t>();
  const int64_t noff = s.input(1).size;
  std::vector<double> inv(static_cast<size_t>(half));
  if (s.nin == 3) {
    const Dense df(s.input(2));
    const float* fp = df.data<float>();
    for (int i = 0; i < half; ++i) inv[i] = 1.0 / double(fp[i]);
  } else {
    for (int i = 0; i < half; ++i) inv[i] = std::pow(base, -double(i) / half);
  }
  T* yp = s.out.at<T>();
  const int64_t a = traditional ? 2 : 1, bstep = traditional ? 1 : half;  // pair i: (a i, a i + bstep)
  parallel_for(batch * t, std::max<int64_t>(1, (int64_t(1) << 12) / (heads * d)), [&](int64_t b0, int64_t e0) {
    std::vector<C> cs(static_cast<size_t>(half)), sn(static_cast<size_t>(half));
    for (int64_t bt = b0; bt < e0; ++bt) {
      const int64_t b = bt / t, p = bt % t;
      const double pos = (double(offp[noff == 1 ? 0 : b]) + double(p)) * scale;
      for (int i = 0; i < half; ++i) {
        const double theta = pos * inv[i];
        cs[i] = C(std::cos(theta));
        sn[i] = C(sign * std::sin(theta));
      }
      for (int64_t h = 0; h < heads; ++h) {
        const int64_t start = ((b * heads + h) * t + p) * d;
        const T* in = xp + start;
        T* out = yp + start;
        for (int i = 0; i < half; ++i) {
          const C x1 = load(in[a * i]), x2 = load(in[a * i + bstep]);
          out[a * i] = to<T>(x1 * cs[i] - x2 * sn[i]);
          out[a * i + bstep] = to<T>(x1 * sn[i] + x2 * cs[i]);
        }
        for (int64_t k = dims; k < d; ++k) out[k] = in[k];
      }
    }
  });
}

}  // namespace

void fast_norm(const Step& s) {
  const bool layer = s.op == Op::layerNorm;
  check_norm(s, layer ? 2 : 1);
  dispatch_float(s.out.dtype, op_name(s.op), [&](auto tag) { norm_rows<typename decltype(tag)::type>(s, layer); });
}

void rope(const Step& s) {
  if (s.nin != 2 && s.nin != 3) throw Error("expected 2 or 3 inputs, got " + std::to_string(s.nin));
  s.expect_params(5);
  const View& x = s.input(0);
  check_same_shape(s.out, x, "output");
  if (s.out.dtype != x.dtype || x.ndim < 3)
    throw Error("expects an input of at least 3 dimensions and an output of its dtype");
  const int64_t dims = s.int_param(0), d = x.shape[x.ndim - 1];
  if (dims <= 0 || dims % 2 != 0 || dims > d) throw Error("dims must be positive, even and at most the last dimension");
  const View& off = s.input(1);
  if (off.dtype != Dt::I32 || off.ndim > 1 || (off.size != 1 && off.size != x.shape[0])) {
    throw Error("offset must be int32 with 1 or " + std::to_string(x.shape[0]) + " entries, got " + shape_string(off));
  }
  if (s.nin == 3) {
    const View& f = s.input(2);
    if (f.dtype != Dt::F32 || f.ndim != 1 || f.shape[0] != dims / 2)
      throw Error("freqs must be float32 [dims / 2], got " + shape_string(f));
  }
  dispatch_float(x.dtype, op_name(s.op), [&](auto tag) { rope_rows<typename decltype(tag)::type>(s); });
}

}  // namespace mlx_cpu
