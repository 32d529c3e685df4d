// complex64: every step with a complex operand comes here (run_step), so the real kernels never
// see c64_t. Arithmetic computes in std::complex<float> (division and abs in double, so that
// neither overflows in between); steps that only move elements go to their usual kernels, which
// read complex64 as 8-byte items.
#include <cmath>
#include <complex>

#include "kernels.h"
#include "parallel.h"
#include "strided.h"

namespace mlx_cpu {

namespace {

using cf = std::complex<float>;

inline cf ld(c64_t v) { return {v.re, v.im}; }
inline c64_t st(cf v) { return {v.real(), v.imag()}; }

cf cdiv(cf a, cf b) {
  const std::complex<double> q = std::complex<double>(a) / std::complex<double>(b);
  return {float(q.real()), float(q.imag())};
}

// Writes f(x) for every element of `x` into the contiguous output (element type O).
template <class I, class O, class F>
void map1(const Step& s, F f) {
  const View& x = s.input(0);
  check_same_shape(x, s.out, "the input");
  O* y = s.out.at<O>();
  const I* xp = reinterpret_cast<const I*>(x.base);
  NdIter<2> it(s.out.ndim, s.out.shape, {s.out.strides, x.strides}, {0, x.offset});
  for_each_row(it, kElementwiseGrain, [&](const int64_t* o, int64_t n, const int64_t* st) {
    for (int64_t i = 0; i < n; ++i) y[o[0] + i * st[0]] = f(xp[o[1] + i * st[1]]);
  });
}

template <class O, class F>
void map2(const Step& s, F f) {
  const View& a = s.input(0);
  const View& b = s.input(1);
  check_same_shape(a, s.out, "the first input");
  check_same_shape(b, s.out, "the second input");
  if (a.dtype != Dt::C64 || b.dtype != Dt::C64) throw Error("expected two complex64 inputs");
  O* y = s.out.at<O>();
  const c64_t* ap = reinterpret_cast<const c64_t*>(a.base);
  const c64_t* bp = reinterpret_cast<const c64_t*>(b.base);
  NdIter<3> it(s.out.ndim, s.out.shape, {s.out.strides, a.strides, b.strides}, {0, a.offset, b.offset});
  for_each_row(it, kElementwiseGrain, [&](const int64_t* o, int64_t n, const int64_t* st) {
    for (int64_t i = 0; i < n; ++i) y[o[0] + i * st[0]] = f(ld(ap[o[1] + i * st[1]]), ld(bp[o[2] + i * st[2]]));
  });
}

template <class F>
void unary_c(const Step& s, F f) {
  s.expect_inputs(1);
  if (s.input(0).dtype != Dt::C64 || s.out.dtype != Dt::C64) throw Error("expected complex64 -> complex64");
  map1<c64_t, c64_t>(s, [&](c64_t v) { return st(f(ld(v))); });
}

template <class F>
void unary_real(const Step& s, F f) {
  s.expect_inputs(1);
  if (s.input(0).dtype != Dt::C64 || s.out.dtype != Dt::F32) throw Error("expected complex64 -> float32");
  map1<c64_t, float>(s, [&](c64_t v) { return f(v); });
}

void astype_c(const Step& s) {
  s.expect_inputs(1);
  const View& x = s.input(0);
  if (x.dtype == Dt::C64 && s.out.dtype == Dt::C64) return copy_into(x, s.out.base, s.out.strides, 0);
  if (s.out.dtype == Dt::C64) {
    return dispatch_all(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      map1<T, c64_t>(s, [](T v) { return c64_t{float(load(v)), 0.0f}; });
    });
  }
  // MLX's complex -> real cast keeps the real part.
  dispatch_all(s.out.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    map1<c64_t, T>(s, [](c64_t v) { return to<T>(v.re); });
  });
}

// Sums over the reduced axes (kept as size 1 in the output), in double.
void sum_c(const Step& s) {
  s.expect_inputs(1);
  const View& x = s.input(0);
  const View& out = s.out;
  if (out.ndim != x.ndim || out.dtype != Dt::C64) throw Error("expected a complex64 output of the input's rank");
  int64_t ostr[kMaxDims];
  for (int d = 0; d < x.ndim; ++d) ostr[d] = out.shape[d] == 1 && x.shape[d] != 1 ? 0 : out.strides[d];
  Scratch<std::complex<double>> acc(size_t(std::max<int64_t>(out.size, 1)));
  std::fill(acc.get(), acc.get() + out.size, std::complex<double>(0, 0));
  const c64_t* xp = reinterpret_cast<const c64_t*>(x.base);
  NdIter<2> it(x.ndim, x.shape, {ostr, x.strides}, {0, x.offset});
  it.for_all([&](const int64_t* o, int64_t n, const int64_t* st) {
    for (int64_t i = 0; i < n; ++i) {
      const c64_t v = xp[o[1] + i * st[1]];
      acc.get()[o[0] + i * st[0]] += std::complex<double>(v.re, v.im);
    }
  });
  c64_t* y = out.at<c64_t>();
  for (int64_t i = 0; i < out.size; ++i) y[i] = {float(acc.get()[i].real()), float(acc.get()[i].imag())};
}

// [...B, M, K] x [...B, K, N], accumulating in double; rows of the output in parallel.
void matmul_c(const Step& s) {
  s.expect_inputs(2);
  const View& a = s.input(0);
  const View& b = s.input(1);
  const View& out = s.out;
  const int nd = out.ndim;
  bool ok = nd >= 2 && a.ndim == nd && b.ndim == nd && a.dtype == Dt::C64 && b.dtype == Dt::C64;
  for (int d = 0; ok && d < nd - 2; ++d) ok = a.shape[d] == out.shape[d] && b.shape[d] == out.shape[d];
  ok = ok && a.shape[nd - 1] == b.shape[nd - 2] && out.shape[nd - 2] == a.shape[nd - 2] &&
       out.shape[nd - 1] == b.shape[nd - 1];
  if (!ok) throw Error("cannot multiply " + shape_string(a) + " by " + shape_string(b) + " into " + shape_string(out));
  const int64_t M = out.shape[nd - 2], N = out.shape[nd - 1], K = a.shape[nd - 1];
  const int64_t batch = M * N == 0 ? 0 : out.size / (M * N);
  const c64_t* ap = reinterpret_cast<const c64_t*>(a.base);
  const c64_t* bp = reinterpret_cast<const c64_t*>(b.base);
  c64_t* y = out.at<c64_t>();
  parallel_for(batch * M, std::max<int64_t>(1, 4096 / std::max<int64_t>(N * K, 1)), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t bi = r / M, i = r % M;
      int64_t ao = a.offset + i * a.strides[nd - 2], bo = b.offset;
      int64_t q = bi;
      for (int d = nd - 3; d >= 0; --d) {
        const int64_t idx = q % out.shape[d];
        q /= out.shape[d];
        ao += idx * a.strides[d];
        bo += idx * b.strides[d];
      }
      for (int64_t j = 0; j < N; ++j) {
        std::complex<double> acc(0, 0);
        for (int64_t k = 0; k < K; ++k) {
          const c64_t u = ap[ao + k * a.strides[nd - 1]];
          const c64_t v = bp[bo + k * b.strides[nd - 2] + j * b.strides[nd - 1]];
          acc += std::complex<double>(u.re, u.im) * std::complex<double>(v.re, v.im);
        }
        y[r * N + j] = {float(acc.real()), float(acc.imag())};
      }
    }
  });
}

}  // namespace

bool has_complex(const Step& s) {
  if (s.out.dtype == Dt::C64) return true;
  for (int i = 0; i < s.nin; ++i)
    if (s.in[i].dtype == Dt::C64) return true;
  return false;
}

void complex_step(const Step& s) {
  switch (s.op) {
    case Op::add:
      return map2<c64_t>(s, [](cf a, cf b) { return st(a + b); });
    case Op::subtract:
      return map2<c64_t>(s, [](cf a, cf b) { return st(a - b); });
    case Op::multiply:
      return map2<c64_t>(s, [](cf a, cf b) { return st(a * b); });
    case Op::divide:
      return map2<c64_t>(s, [](cf a, cf b) { return st(cdiv(a, b)); });
    case Op::equal:
      return map2<bool_t>(s, [](cf a, cf b) { return bool_t{uint8_t(a == b)}; });
    case Op::notEqual:
      return map2<bool_t>(s, [](cf a, cf b) { return bool_t{uint8_t(a != b)}; });
    case Op::negative:
      return unary_c(s, [](cf v) { return -v; });
    case Op::square:
      return unary_c(s, [](cf v) { return v * v; });
    case Op::exp:
      return unary_c(s, [](cf v) {
        const std::complex<double> e = std::exp(std::complex<double>(v));
        return cf(float(e.real()), float(e.imag()));
      });
    case Op::conjugate:
      return unary_c(s, [](cf v) { return std::conj(v); });
    case Op::abs:
      return unary_real(s, [](c64_t v) { return float(std::hypot(double(v.re), double(v.im))); });
    case Op::imag:
      return unary_real(s, [](c64_t v) { return v.im; });
    case Op::astype:
      return astype_c(s);
    case Op::sum:
      return sum_c(s);
    case Op::matmul:
      return matmul_c(s);
    case Op::fft:
      return fft(s);
    case Op::eig:
    case Op::eigvals:
      return eig(s);
    // Element moves: the usual kernels, on 8-byte items.
    case Op::where:
      return where(s);
    case Op::concatenate:
      return concatenate(s);
    case Op::pad:
      return pad(s);
    case Op::gather:
      return gather(s);
    case Op::gatherAxis:
      return gather_axis(s);
    default:
      throw Error(std::string(op_name(s.op)) + " does not compute on complex64");
  }
}

}  // namespace mlx_cpu
