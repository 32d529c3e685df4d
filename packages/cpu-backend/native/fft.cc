// The fft primitive (DESIGN.md, "Kernel contracts"). A 1-D transform of length n is a Stockham
// autosort FFT (no bit reversal: each stage reads one buffer and writes the other) over n's
// factors, radices 4, 2, 3, 5 with their own butterflies and any other prime up to kMaxGeneric by
// a direct DFT of that size; a larger prime factor makes the whole length a Bluestein transform
// (a chirp convolution through power-of-two FFTs). Plans (factors, twiddles, the chirp and its
// spectrum) are built once per length and cached. Values compute in double; a multi-axis
// transform is one 1-D pass per axis over a double work array, lines of a pass in parallel.
#include <cmath>
#include <complex>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "kernels.h"
#include "parallel.h"
#include "scratch.h"
#include "strided.h"

namespace mlx_cpu {

namespace {

using cd = std::complex<double>;
constexpr int64_t kMaxGeneric = 61;

cd root(int64_t k, int64_t n) {
  // exp(-2πi k/n) with k reduced first, so large k lose nothing.
  const double a = -2.0 * M_PI * double(k % n) / double(n);
  return {std::cos(a), std::sin(a)};
}

struct Stage {
  int64_t radix, m;         // m = the stage's length / radix
  std::vector<cd> twiddle;  // (p, k) -> w^(p k), p < m, 1 <= k < radix
  std::vector<cd> roots;    // radix-point DFT roots for the generic butterfly
};

struct Plan {
  int64_t n = 0;
  std::vector<Stage> stages;
  // Bluestein: chirp w_k = exp(-πi k²/n), the transform of the padded conjugate chirp, and the
  // power-of-two plan it convolves with.
  bool bluestein = false;
  int64_t m = 0;
  std::vector<cd> chirp, chirp_fft;
  std::shared_ptr<const Plan> inner;
};

std::shared_ptr<const Plan> plan_for(int64_t n);

void run_plan(const Plan& p, cd* x, cd* work);

std::shared_ptr<const Plan> make_plan(int64_t n) {
  auto p = std::make_shared<Plan>();
  p->n = n;
  std::vector<int64_t> radices;
  int64_t r = n;
  while (r % 4 == 0) radices.push_back(4), r /= 4;
  while (r % 2 == 0) radices.push_back(2), r /= 2;
  for (int64_t f = 3; f * f <= r || (r > 1 && f <= r); f += 2) {
    while (r % f == 0) radices.push_back(f), r /= f;
    if (f > kMaxGeneric && r > 1) break;
  }
  if (r > 1) radices.push_back(r);
  bool big = false;
  for (int64_t f : radices) big = big || f > kMaxGeneric;
  if (big) {
    p->bluestein = true;
    int64_t m = 1;
    while (m < 2 * n - 1) m *= 2;
    p->m = m;
    p->inner = plan_for(m);
    p->chirp.resize(size_t(n));
    for (int64_t k = 0; k < n; ++k) {
      // k² mod 2n in integers keeps the angle exact for large k.
      const int64_t k2 = int64_t((__int128)k * k % (2 * n));
      const double a = -M_PI * double(k2) / double(n);
      p->chirp[size_t(k)] = {std::cos(a), std::sin(a)};
    }
    std::vector<cd> b(static_cast<size_t>(m), cd(0, 0)), work(static_cast<size_t>(m));
    b[0] = std::conj(p->chirp[0]);
    for (int64_t k = 1; k < n; ++k) b[size_t(k)] = b[size_t(m - k)] = std::conj(p->chirp[size_t(k)]);
    run_plan(*p->inner, b.data(), work.data());
    p->chirp_fft = std::move(b);
    return p;
  }
  int64_t len = n;
  for (int64_t radix : radices) {
    Stage s;
    s.radix = radix;
    s.m = len / radix;
    s.twiddle.resize(size_t(s.m * (radix - 1)));
    for (int64_t q = 0; q < s.m; ++q)
      for (int64_t k = 1; k < radix; ++k) s.twiddle[size_t(q * (radix - 1) + k - 1)] = root(q * k, len);
    if (radix > 5) {
      s.roots.resize(size_t(radix));
      for (int64_t k = 0; k < radix; ++k) s.roots[size_t(k)] = root(k, radix);
    }
    p->stages.push_back(std::move(s));
    len /= radix;
  }
  return p;
}

std::shared_ptr<const Plan> plan_for(int64_t n) {
  static std::mutex mu;
  static std::map<int64_t, std::shared_ptr<const Plan>> cache;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(n);
    if (it != cache.end()) return it->second;
  }
  // Built outside the lock: a Bluestein plan asks for its inner plan.
  auto p = make_plan(n);
  std::lock_guard<std::mutex> lock(mu);
  // Bounded: a program that transforms many lengths does not keep every plan.
  if (cache.size() > 64) cache.clear();
  return cache.emplace(n, p).first->second;
}

// One Stockham stage: x holds `stride` interleaved sequences of length radix*m; y gets them with
// this radix's butterflies applied and the outputs reordered for the next stage.
void stage(const Stage& st, int64_t stride, const cd* x, cd* y) {
  const int64_t m = st.m, R = st.radix;
  const cd* tw = st.twiddle.data();
  for (int64_t q = 0; q < m; ++q) {
    const cd* w = tw + q * (R - 1);
    for (int64_t t = 0; t < stride; ++t) {
      const cd* in = x + t + stride * q;
      cd* out = y + t + stride * R * q;
      const int64_t is = stride * m;
      if (R == 2) {
        const cd a = in[0], b = in[is];
        out[0] = a + b;
        out[stride] = (a - b) * w[0];
      } else if (R == 4) {
        const cd a = in[0], b = in[is], c = in[2 * is], d = in[3 * is];
        const cd s0 = a + c, s1 = a - c, s2 = b + d, s3 = b - d;
        const cd s3j(s3.imag(), -s3.real());  // -i * s3
        out[0] = s0 + s2;
        out[stride] = (s1 + s3j) * w[0];
        out[2 * stride] = (s0 - s2) * w[1];
        out[3 * stride] = (s1 - s3j) * w[2];
      } else if (R == 3) {
        const double c = -0.5, sn = -0.86602540378443864676;
        const cd a = in[0], b = in[is], d = in[2 * is];
        const cd s = b + d, df = b - d;
        const cd base = a + c * s;
        const cd rot(-sn * df.imag(), sn * df.real());  // i * sn * df
        out[0] = a + s;
        out[stride] = (base + rot) * w[0];
        out[2 * stride] = (base - rot) * w[1];
      } else if (R == 5) {
        const double c1 = 0.30901699437494742410, c2 = -0.80901699437494742410;
        const double s1 = -0.95105651629515357212, s2 = -0.58778525229247312917;
        const cd a = in[0], b = in[is], c = in[2 * is], d = in[3 * is], e = in[4 * is];
        const cd p1 = b + e, m1 = b - e, p2 = c + d, m2 = c - d;
        const cd r1 = a + c1 * p1 + c2 * p2, r2 = a + c2 * p1 + c1 * p2;
        const cd i1 = s1 * m1 + s2 * m2, i2 = s2 * m1 - s1 * m2;
        const cd j1(-i1.imag(), i1.real()), j2(-i2.imag(), i2.real());  // i * i1, i * i2
        out[0] = a + p1 + p2;
        out[stride] = (r1 + j1) * w[0];
        out[2 * stride] = (r2 + j2) * w[1];
        out[3 * stride] = (r2 - j2) * w[2];
        out[4 * stride] = (r1 - j1) * w[3];
      } else {
        const cd* rt = st.roots.data();
        for (int64_t k = 0; k < R; ++k) {
          cd acc(0, 0);
          for (int64_t j = 0; j < R; ++j) acc += in[j * is] * rt[(j * k) % R];
          out[k * stride] = k == 0 ? acc : acc * w[k - 1];
        }
      }
    }
  }
}

// The forward DFT of x (length p.n) in place; work holds max(n, 2m) scratch values.
void run_plan(const Plan& p, cd* x, cd* work) {
  if (p.bluestein) {
    const int64_t n = p.n, m = p.m;
    cd* a = work;
    cd* w2 = work + m;
    for (int64_t k = 0; k < n; ++k) a[k] = x[k] * p.chirp[size_t(k)];
    std::fill(a + n, a + m, cd(0, 0));
    run_plan(*p.inner, a, w2);
    // Inverse of the product through conj(fft(conj(.))).
    for (int64_t k = 0; k < m; ++k) a[k] = std::conj(a[k] * p.chirp_fft[size_t(k)]);
    run_plan(*p.inner, a, w2);
    const double scale = 1.0 / double(m);
    for (int64_t k = 0; k < n; ++k) x[k] = std::conj(a[k]) * scale * p.chirp[size_t(k)];
    return;
  }
  cd* src = x;
  cd* dst = work;
  int64_t stride = 1;
  for (const Stage& s : p.stages) {
    stage(s, stride, src, dst);
    std::swap(src, dst);
    stride *= s.radix;
  }
  if (src != x) std::copy(src, src + p.n, x);
}

int64_t work_size(const Plan& p) { return p.bluestein ? 2 * p.m + 1 : p.n; }

// One 1-D pass along `axis` of the contiguous work array w (shape `shape`), complex to complex.
void pass(cd* w, const std::vector<int64_t>& shape, int axis, bool inverse) {
  const int64_t n = shape[size_t(axis)];
  int64_t inner = 1, total = 1;
  for (size_t d = 0; d < shape.size(); ++d) {
    total *= shape[d];
    if (int(d) > axis) inner *= shape[d];
  }
  if (total == 0 || n <= 1) return;
  const int64_t lines = total / n;
  auto plan = plan_for(n);
  const int64_t ws = work_size(*plan);
  parallel_for(lines, std::max<int64_t>(1, 4096 / n), [&](int64_t l0, int64_t l1) {
    Scratch<cd> line(static_cast<size_t>(n)), work(static_cast<size_t>(ws));
    for (int64_t l = l0; l < l1; ++l) {
      cd* base = w + (l / inner) * n * inner + l % inner;
      for (int64_t k = 0; k < n; ++k) line[size_t(k)] = inverse ? std::conj(base[k * inner]) : base[k * inner];
      run_plan(*plan, line.get(), work.get());
      for (int64_t k = 0; k < n; ++k)
        base[k * inner] = inverse ? std::conj(line[size_t(k)]) / double(n) : line[size_t(k)];
    }
  });
}

}  // namespace

void fft(const Step& s) {
  s.expect_inputs(1);
  const View& x = s.input(0);
  const View& out = s.out;
  const int nd = x.ndim;
  if (s.nparams < 1) throw Error("missing parameters");
  const int64_t na = s.int_param(0);
  s.expect_params(int(2 * na + 3));
  std::vector<int> axes(static_cast<size_t>(na));
  std::vector<int64_t> ns(static_cast<size_t>(na));
  for (int64_t i = 0; i < na; ++i) {
    axes[size_t(i)] = normalize_axis(s.int_param(int(1 + i)), nd);
    ns[size_t(i)] = s.int_param(int(1 + na + i));
    if (ns[size_t(i)] < 1) throw Error("transform lengths must be at least 1");
  }
  const bool inverse = s.int_param(int(1 + 2 * na)) != 0, real = s.int_param(int(2 + 2 * na)) != 0;
  if (na == 0 || out.ndim != nd) throw Error("expected at least one axis and an output of the input's rank");
  const int last = axes.back();
  const int64_t n_last = ns.back();
  // The complex shape the passes run on: the output's for a forward transform, the input's for irfft.
  std::vector<int64_t> cshape(out.shape, out.shape + nd);
  if (real && inverse) cshape.assign(x.shape, x.shape + nd);
  for (int d = 0; d < nd; ++d) {
    const bool ok = real && d == last ? (inverse ? x.shape[d] == n_last / 2 + 1 && out.shape[d] == n_last
                                                 : x.shape[d] == n_last && out.shape[d] == n_last / 2 + 1)
                                      : x.shape[d] == out.shape[d];
    if (!ok)
      throw Error("the input " + shape_string(x) + " and output " + shape_string(out) + " do not fit the transform");
  }
  const bool in_c = !(real && !inverse), out_c = !(real && inverse);
  if ((x.dtype == Dt::C64) != in_c || (out.dtype == Dt::C64) != out_c || (!in_c && x.dtype != Dt::F32) ||
      (!out_c && out.dtype != Dt::F32))
    throw Error("unexpected dtypes for this transform");
  int64_t csize = 1;
  for (int64_t d : cshape) csize *= d;
  if (out.size == 0) return;
  Scratch<cd> w(static_cast<size_t>(std::max<int64_t>(csize, 1)));
  int64_t cstr[kMaxDims];
  int64_t acc = 1;
  for (int d = nd - 1; d >= 0; --d) cstr[d] = acc, acc *= cshape[size_t(d)];
  if (real && !inverse) {
    // rfft: each line of the last axis, real, gives its first n/2 + 1 bins.
    const int64_t n = n_last, h = n / 2 + 1;
    const int64_t lines = x.size / std::max<int64_t>(n, 1);
    auto plan = plan_for(n);
    const int64_t ws = work_size(*plan);
    const float* xp = reinterpret_cast<const float*>(x.base);
    std::vector<int64_t> lshape(x.shape, x.shape + nd);
    lshape[size_t(last)] = 1;
    parallel_for(lines, std::max<int64_t>(1, 4096 / n), [&](int64_t l0, int64_t l1) {
      Scratch<cd> line(static_cast<size_t>(n)), work(static_cast<size_t>(ws));
      for (int64_t l = l0; l < l1; ++l) {
        int64_t q = l, xo = x.offset, wo = 0;
        for (int d = nd - 1; d >= 0; --d) {
          const int64_t i = q % lshape[size_t(d)];
          q /= lshape[size_t(d)];
          xo += i * x.strides[d];
          wo += i * cstr[d];
        }
        for (int64_t k = 0; k < n; ++k) line[size_t(k)] = cd(xp[xo + k * x.strides[last]], 0);
        run_plan(*plan, line.get(), work.get());
        for (int64_t k = 0; k < h; ++k) w[size_t(wo + k * cstr[last])] = line[size_t(k)];
      }
    });
    for (size_t i = 0; i + 1 < axes.size(); ++i) pass(w.get(), cshape, axes[i], false);
  } else {
    // Load the complex input, then run the complex passes (for irfft, every axis but the last).
    const c64_t* xp = reinterpret_cast<const c64_t*>(x.base);
    NdIter<2> it(nd, x.shape, {cstr, x.strides}, {0, x.offset});
    it.for_all([&](const int64_t* o, int64_t n, const int64_t* st) {
      for (int64_t i = 0; i < n; ++i) {
        const c64_t v = xp[o[1] + i * st[1]];
        w[size_t(o[0] + i * st[0])] = cd(v.re, v.im);
      }
    });
    const size_t complex_axes = real ? axes.size() - 1 : axes.size();
    for (size_t i = 0; i < complex_axes; ++i) pass(w.get(), cshape, axes[i], inverse);
  }
  if (out_c) {
    c64_t* y = out.at<c64_t>();
    for (int64_t i = 0; i < csize; ++i) y[i] = {float(w[size_t(i)].real()), float(w[size_t(i)].imag())};
    return;
  }
  // irfft's last axis: the full Hermitian spectrum of each line, inverted, real part kept.
  const int64_t n = n_last, h = n / 2 + 1;
  const int64_t lines = out.size / n;
  auto plan = plan_for(n);
  const int64_t ws = work_size(*plan);
  float* y = out.at<float>();
  std::vector<int64_t> lshape(cshape);
  lshape[size_t(last)] = 1;
  parallel_for(lines, std::max<int64_t>(1, 4096 / n), [&](int64_t l0, int64_t l1) {
    Scratch<cd> line(static_cast<size_t>(n)), work(static_cast<size_t>(ws));
    for (int64_t l = l0; l < l1; ++l) {
      int64_t q = l, wo = 0, yo = 0;
      for (int d = nd - 1; d >= 0; --d) {
        const int64_t i = q % lshape[size_t(d)];
        q /= lshape[size_t(d)];
        wo += i * cstr[d];
        yo += i * out.strides[d];
      }
      // Conjugated for the inverse through the forward plan.
      for (int64_t k = 0; k < h; ++k) line[size_t(k)] = std::conj(w[size_t(wo + k * cstr[last])]);
      line[0] = cd(line[0].real(), 0);
      if (n % 2 == 0) line[size_t(h - 1)] = cd(line[size_t(h - 1)].real(), 0);
      for (int64_t k = h; k < n; ++k) line[size_t(k)] = std::conj(line[size_t(n - k)]);
      run_plan(*plan, line.get(), work.get());
      const int64_t ylast = out.strides[last];
      for (int64_t k = 0; k < n; ++k) y[yo + k * ylast] = float(line[size_t(k)].real() / double(n));
    }
  });
}

}  // namespace mlx_cpu
