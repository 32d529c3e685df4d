// linalg.eig and linalg.eigvals (DESIGN.md "Kernel contracts") through LAPACK's general
// eigensolvers, one matrix of the leading axes after another: sgeev/dgeev for float32/float64
// input, cgeev for complex64. Both outputs are complex64 whatever the input, as MLX's. The
// row-major input is transposed into LAPACK's column-major order (so the right eigenvectors are
// a's, not aᵀ's), and the real routines' packed conjugate pairs (vr[:, j] ± i vr[:, j+1]) are
// unpacked into complex columns. Every eigenvector keeps LAPACK's unit 2-norm and is turned by a
// unit phase so that its first entry of largest modulus is real and positive, the reference
// backend's normalization. A matrix with a non-finite entry gives NaN eigenvalues and vectors
// (LAPACK's behaviour on one is not defined), and a QR iteration that does not converge is an
// Error naming the function.
#include <climits>
#include <cmath>
#include <complex>
#include <string>
#include <vector>

#include "errors.h"
#include "kernels.h"
#include "lapack.h"
#include "linalg_step.h"
#include "strided.h"

namespace mlx_cpu {

namespace {

template <class T>
int work_size(T w) {
  return std::max(1, int(w));
}

void check_info(const Step& s, const char* routine, int info, int n) {
  if (info < 0)
    linalg_fail(s, std::string(routine) + " rejected argument " + std::to_string(-info) + " (an internal error)");
  if (info > 0)
    linalg_fail(s, "the QR algorithm did not converge (" + std::string(routine) + " found only " +
                       std::to_string(n - info) + " of " + std::to_string(n) + " eigenvalues)");
}

// Column j of the row-major n x n complex matrix v scaled by the unit phase that makes its first
// entry of largest modulus real and positive.
void normalize_phase(c64_t* v, int64_t n, int64_t j) {
  double best = 0;
  int64_t at = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double m = std::hypot(double(v[i * n + j].re), double(v[i * n + j].im));
    if (m > best) best = m, at = i;
  }
  if (best == 0) return;
  const std::complex<double> p = std::conj(std::complex<double>(v[at * n + j].re, v[at * n + j].im)) / best;
  for (int64_t i = 0; i < n; ++i) {
    const std::complex<double> z = std::complex<double>(v[i * n + j].re, v[i * n + j].im) * p;
    v[i * n + j] = {float(z.real()), float(z.imag())};
  }
  v[at * n + j].im = 0;
}

void fill_nan(c64_t* w, c64_t* v, int64_t n) {
  const float q = std::nanf("");
  for (int64_t i = 0; i < n; ++i) w[i] = {q, q};
  if (v)
    for (int64_t i = 0; i < n * n; ++i) v[i] = {q, q};
}

template <class T>
void run_real(const Step& s, const T* in, c64_t* w, c64_t* v, int64_t n, int64_t count) {
  const LapackFns<T>& L = linalg_lapack<T>(s);
  const int N = int(n), one = 1;
  const char jobvl = 'N', jobvr = v ? 'V' : 'N';
  const int ldvr = v ? N : 1;
  std::vector<T> a(static_cast<size_t>(n * n)), wr(static_cast<size_t>(n)), wi(static_cast<size_t>(n));
  std::vector<T> vr(v ? static_cast<size_t>(n * n) : 1), work;
  T dummy = 0;
  for (int64_t b = 0; b < count; ++b) {
    const T* x = in + b * n * n;
    c64_t* wb = w + b * n;
    c64_t* vb = v ? v + b * n * n : nullptr;
    bool finite = true;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j) {
        a[size_t(j * n + i)] = x[i * n + j];
        finite = finite && std::isfinite(x[i * n + j]);
      }
    if (!finite) {
      fill_nan(wb, vb, n);
      continue;
    }
    int info = 0, lwork = -1;
    T query = 0;
    L.geev(&jobvl, &jobvr, &N, a.data(), &N, wr.data(), wi.data(), &dummy, &one, vr.data(), &ldvr, &query, &lwork,
           &info, 1, 1);
    check_info(s, "geev", info, N);
    lwork = work_size(query);
    work.resize(size_t(lwork));
    L.geev(&jobvl, &jobvr, &N, a.data(), &N, wr.data(), wi.data(), &dummy, &one, vr.data(), &ldvr, work.data(), &lwork,
           &info, 1, 1);
    check_info(s, "geev", info, N);
    for (int64_t j = 0; j < n; ++j) wb[j] = {float(wr[size_t(j)]), float(wi[size_t(j)])};
    if (!vb) continue;
    for (int64_t j = 0; j < n; ++j) {
      // A pair wi[j] > 0, wi[j+1] < 0 shares columns j (real part) and j+1 (imaginary part).
      if (wi[size_t(j)] != 0 && j + 1 < n) {
        for (int64_t i = 0; i < n; ++i) {
          const T re = vr[size_t(j * n + i)], im = vr[size_t((j + 1) * n + i)];
          vb[i * n + j] = {float(re), float(im)};
          vb[i * n + j + 1] = {float(re), float(-im)};
        }
        normalize_phase(vb, n, j);
        normalize_phase(vb, n, j + 1);
        ++j;
        continue;
      }
      for (int64_t i = 0; i < n; ++i) vb[i * n + j] = {float(vr[size_t(j * n + i)]), 0.0f};
      normalize_phase(vb, n, j);
    }
  }
}

void run_complex(const Step& s, const c64_t* in, c64_t* w, c64_t* v, int64_t n, int64_t count) {
  const LapackFns<float>& L = linalg_lapack<float>(s);
  const int N = int(n), one = 1;
  const char jobvl = 'N', jobvr = v ? 'V' : 'N';
  const int ldvr = v ? N : 1;
  // Interleaved (re, im) floats, LAPACK's COMPLEX layout.
  std::vector<float> a(static_cast<size_t>(2 * n * n)), rwork(static_cast<size_t>(2 * n));
  std::vector<float> vr(v ? static_cast<size_t>(2 * n * n) : 2), work;
  float dummy[2] = {0, 0};
  for (int64_t b = 0; b < count; ++b) {
    const c64_t* x = in + b * n * n;
    c64_t* wb = w + b * n;
    c64_t* vb = v ? v + b * n * n : nullptr;
    bool finite = true;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j) {
        const c64_t z = x[i * n + j];
        a[size_t(2 * (j * n + i))] = z.re;
        a[size_t(2 * (j * n + i) + 1)] = z.im;
        finite = finite && std::isfinite(z.re) && std::isfinite(z.im);
      }
    if (!finite) {
      fill_nan(wb, vb, n);
      continue;
    }
    int info = 0, lwork = -1;
    float query[2] = {0, 0};
    L.cgeev(&jobvl, &jobvr, &N, a.data(), &N, reinterpret_cast<float*>(wb), dummy, &one, vr.data(), &ldvr, query,
            &lwork, rwork.data(), &info, 1, 1);
    check_info(s, "cgeev", info, N);
    lwork = work_size(query[0]);
    work.resize(size_t(2 * lwork));
    L.cgeev(&jobvl, &jobvr, &N, a.data(), &N, reinterpret_cast<float*>(wb), dummy, &one, vr.data(), &ldvr, work.data(),
            &lwork, rwork.data(), &info, 1, 1);
    check_info(s, "cgeev", info, N);
    if (!vb) continue;
    for (int64_t j = 0; j < n; ++j) {
      for (int64_t i = 0; i < n; ++i) vb[i * n + j] = {vr[size_t(2 * (j * n + i))], vr[size_t(2 * (j * n + i) + 1)]};
      normalize_phase(vb, n, j);
    }
  }
}

}  // namespace

void eig(const Step& s) {
  const bool vectors = s.op == Op::eig;
  s.expect_inputs(1);
  s.expect_outputs(vectors ? 2 : 1);
  s.expect_params(0);
  const View& x = s.input(0);
  if (x.ndim < 2) linalg_fail(s, "expected an array of at least 2 dimensions");
  if (x.dtype != Dt::F32 && x.dtype != Dt::F64 && x.dtype != Dt::C64)
    linalg_fail(s, "expected float32, float64 or complex64");
  const int64_t m = x.shape[x.ndim - 2], n = x.shape[x.ndim - 1];
  if (m != n) linalg_fail(s, "expected square matrices");
  if (n > INT_MAX / 8 || n * n > INT_MAX / 2) linalg_fail(s, "the matrices are too large for LAPACK's 32-bit sizes");
  int64_t count = 1;
  for (int d = 0; d + 2 < x.ndim; ++d) count *= x.shape[d];
  const View& w = s.output(0);
  if (w.size != count * n || w.dtype != Dt::C64) linalg_fail(s, "unexpected output shape or dtype");
  if (vectors && (s.output(1).size != count * n * n || s.output(1).dtype != Dt::C64))
    linalg_fail(s, "unexpected output shape or dtype");
  if (n == 0 || count == 0) return;
  const Dense dense(x);
  c64_t* wp = w.at<c64_t>();
  c64_t* vp = vectors ? s.output(1).at<c64_t>() : nullptr;
  if (x.dtype == Dt::F32)
    run_real<float>(s, dense.data<float>(), wp, vp, n, count);
  else if (x.dtype == Dt::F64)
    run_real<double>(s, dense.data<double>(), wp, vp, n, count);
  else
    run_complex(s, dense.data<c64_t>(), wp, vp, n, count);
}

}  // namespace mlx_cpu
