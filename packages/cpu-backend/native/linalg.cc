// mx.linalg's kernels (DESIGN.md "Kernel contracts"): each matrix of the leading axes goes through
// LAPACK (lapack.h) one after another; the output buffers are row-major. Errors LAPACK reports
// (a singular matrix, one that is not positive definite, no convergence) become Errors naming the
// function, and the absence of LAPACK says what to install. Eigenvectors and singular vectors are
// sign-normalized as the reference backend does (the first entry of largest magnitude of each
// eigenvector and each column of U is positive; Vt's rows follow U's columns).
#include <algorithm>
#include <climits>
#include <cmath>
#include <string>
#include <vector>

#include "errors.h"
#include "kernels.h"
#include "lapack.h"
#include "linalg_step.h"
#include "strided.h"

namespace mlx_cpu {

const char* linalg_name(Op op) {
  switch (op) {
    case Op::qr:
      return "linalg.qr";
    case Op::svd:
      return "linalg.svd";
    case Op::inv:
      return "linalg.inv";
    case Op::triInv:
      return "linalg.triInv";
    case Op::cholesky:
      return "linalg.cholesky";
    case Op::eigh:
      return "linalg.eigh";
    case Op::eig:
      return "linalg.eig";
    case Op::eigvals:
      return "linalg.eigvals";
    default:
      return "linalg.luFactor";
  }
}

namespace {

// Flips column j of a (rows x cols, row-major) when its first entry of largest magnitude is negative.
template <class T>
bool normalize_column(T* a, int64_t rows, int64_t cols, int64_t j) {
  T best = 0;
  int64_t at = 0;
  for (int64_t i = 0; i < rows; ++i) {
    const T v = std::abs(a[i * cols + j]);
    if (v > best) best = v, at = i;
  }
  if (!(a[at * cols + j] < 0)) return false;
  for (int64_t i = 0; i < rows; ++i) a[i * cols + j] = -a[i * cols + j];
  return true;
}

// An optimal workspace size as LAPACK reports it from a query (lwork = -1).
template <class T>
int work_size(T w) {
  return std::max(1, int(w));
}

template <class T>
void run(const Step& s, int64_t m, int64_t n, int64_t count) {
  const LapackFns<T>& L = linalg_lapack<T>(s);
  const Dense dense(s.input(0));
  const T* in = dense.data<T>();
  const int M = int(m), N = int(n), K = int(std::min(m, n));
  const int64_t mn = m * n;
  int info = 0;
  std::vector<T> a(size_t(std::max<int64_t>(mn, 1)));
  std::vector<T> work;
  std::vector<int> ipiv(size_t(std::max(1, K)));
  const auto check = [&](const char* routine) {
    if (info < 0)
      linalg_fail(s, std::string(routine) + " rejected argument " + std::to_string(-info) + " (an internal error)");
  };
  for (int64_t b = 0; b < count; ++b) {
    const T* x = in + b * mn;
    switch (s.op) {
      case Op::qr: {
        // Column-major copy; R is its upper K x N part after geqrf, Q its first K columns after orgqr.
        for (int64_t i = 0; i < m; ++i)
          for (int64_t j = 0; j < n; ++j) a[size_t(j * m + i)] = x[i * n + j];
        T* q = s.output(0).at<T>() + b * m * K;
        T* r = s.output(1).at<T>() + b * K * n;
        if (K == 0) break;
        std::vector<T> tau(static_cast<size_t>(K));
        T query;
        int lwork = -1;
        L.geqrf(&M, &N, a.data(), &M, tau.data(), &query, &lwork, &info);
        check("geqrf");
        lwork = work_size(query);
        work.resize(size_t(lwork));
        L.geqrf(&M, &N, a.data(), &M, tau.data(), work.data(), &lwork, &info);
        check("geqrf");
        for (int64_t i = 0; i < K; ++i)
          for (int64_t j = 0; j < n; ++j) r[i * n + j] = j >= i ? a[size_t(j * m + i)] : T(0);
        lwork = -1;
        L.orgqr(&M, &K, &K, a.data(), &M, tau.data(), &query, &lwork, &info);
        check("orgqr");
        lwork = work_size(query);
        work.resize(size_t(lwork));
        L.orgqr(&M, &K, &K, a.data(), &M, tau.data(), work.data(), &lwork, &info);
        check("orgqr");
        for (int64_t i = 0; i < m; ++i)
          for (int64_t j = 0; j < K; ++j) q[i * K + j] = a[size_t(j * m + i)];
        break;
      }
      case Op::svd: {
        T* u = s.output(0).at<T>() + b * m * m;
        T* sv = s.output(1).at<T>() + b * K;
        T* vt = s.output(2).at<T>() + b * n * n;
        if (K == 0) {
          std::fill(u, u + m * m, T(0));
          std::fill(vt, vt + n * n, T(0));
          for (int64_t i = 0; i < m; ++i) u[i * m + i] = 1;
          for (int64_t i = 0; i < n; ++i) vt[i * n + i] = 1;
          break;
        }
        // The row-major buffer is aᵀ in column-major order, and aᵀ = V S Uᵀ: LAPACK's "U" of it is
        // our Vt (row-major), its "VT" our U.
        std::copy(x, x + mn, a.begin());
        std::vector<int> iwork(static_cast<size_t>(8 * K));
        const char jobz = 'A';
        T query;
        int lwork = -1;
        L.gesdd(&jobz, &N, &M, a.data(), &N, sv, vt, &N, u, &M, &query, &lwork, iwork.data(), &info, 1);
        check("gesdd");
        lwork = work_size(query);
        work.resize(size_t(lwork));
        L.gesdd(&jobz, &N, &M, a.data(), &N, sv, vt, &N, u, &M, work.data(), &lwork, iwork.data(), &info, 1);
        check("gesdd");
        if (info > 0) linalg_fail(s, "the SVD did not converge");
        for (int64_t j = 0; j < m; ++j)
          if (normalize_column(u, m, m, j) && j < K)
            for (int64_t c = 0; c < n; ++c) vt[j * n + c] = -vt[j * n + c];
        for (int64_t r = K; r < n; ++r) {
          T best = 0;
          int64_t at = 0;
          for (int64_t c = 0; c < n; ++c)
            if (std::abs(vt[r * n + c]) > best) best = std::abs(vt[r * n + c]), at = c;
          if (vt[r * n + at] < 0)
            for (int64_t c = 0; c < n; ++c) vt[r * n + c] = -vt[r * n + c];
        }
        break;
      }
      case Op::inv: {
        // inv(aᵀ) = inv(a)ᵀ: the row-major buffer inverts in place as LAPACK's column-major matrix.
        T* out = s.out.at<T>() + b * mn;
        std::copy(x, x + mn, out);
        if (N == 0) break;
        L.getrf(&N, &N, out, &N, ipiv.data(), &info);
        check("getrf");
        if (info > 0)
          linalg_fail(s, "the matrix is singular (U[" + std::to_string(info - 1) + ", " + std::to_string(info - 1) +
                             "] is zero)");
        T query;
        int lwork = -1;
        L.getri(&N, out, &N, ipiv.data(), &query, &lwork, &info);
        check("getri");
        lwork = work_size(query);
        work.resize(size_t(lwork));
        L.getri(&N, out, &N, ipiv.data(), work.data(), &lwork, &info);
        check("getri");
        if (info > 0) linalg_fail(s, "the matrix is singular");
        break;
      }
      case Op::triInv:
      case Op::cholesky: {
        // Row-major lower is column-major upper: the triangle flips.
        const bool upper = s.int_param(0) != 0;
        const char uplo = upper ? 'L' : 'U';
        const char diag = 'N';
        T* out = s.out.at<T>() + b * mn;
        std::copy(x, x + mn, out);
        if (N == 0) break;
        if (s.op == Op::triInv) {
          L.trtri(&uplo, &diag, &N, out, &N, &info, 1, 1);
          check("trtri");
          if (info > 0)
            linalg_fail(s, "the matrix is singular (diagonal entry " + std::to_string(info - 1) + " is zero)");
        } else {
          L.potrf(&uplo, &N, out, &N, &info, 1);
          check("potrf");
          if (info > 0)
            linalg_fail(s, "the matrix is not positive definite (the leading minor of order " + std::to_string(info) +
                               " is not positive)");
        }
        for (int64_t i = 0; i < n; ++i)
          for (int64_t j = 0; j < n; ++j)
            if (upper ? j < i : j > i) out[i * n + j] = 0;
        break;
      }
      case Op::eigh: {
        const bool upper = s.int_param(0) != 0;
        const char uplo = upper ? 'L' : 'U';
        const char jobz = 'V';
        T* w = s.output(0).at<T>() + b * n;
        T* v = s.output(1).at<T>() + b * mn;
        if (N == 0) break;
        std::copy(x, x + mn, a.begin());
        T query;
        int iquery = 0;
        int lwork = -1, liwork = -1;
        L.syevd(&jobz, &uplo, &N, a.data(), &N, w, &query, &lwork, &iquery, &liwork, &info, 1, 1);
        check("syevd");
        lwork = work_size(query);
        liwork = std::max(1, iquery);
        work.resize(size_t(lwork));
        std::vector<int> iwork(static_cast<size_t>(liwork));
        L.syevd(&jobz, &uplo, &N, a.data(), &N, w, work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1);
        check("syevd");
        if (info > 0) linalg_fail(s, "the eigensolver did not converge");
        // Column-major eigenvectors: the buffer holds Vᵀ row-major.
        for (int64_t i = 0; i < n; ++i)
          for (int64_t j = 0; j < n; ++j) v[i * n + j] = a[size_t(j * n + i)];
        for (int64_t j = 0; j < n; ++j) normalize_column(v, n, n, j);
        break;
      }
      default: {  // luFactor
        T* lu = s.output(0).at<T>() + b * mn;
        uint32_t* piv = s.output(1).at<uint32_t>() + b * K;
        uint32_t* perm = s.output(2).at<uint32_t>() + b * m;
        for (int64_t i = 0; i < m; ++i) perm[i] = uint32_t(i);
        if (K == 0) {
          std::copy(x, x + mn, lu);
          break;
        }
        for (int64_t i = 0; i < m; ++i)
          for (int64_t j = 0; j < n; ++j) a[size_t(j * m + i)] = x[i * n + j];
        L.getrf(&M, &N, a.data(), &M, ipiv.data(), &info);
        check("getrf");
        // info > 0 (an exact zero pivot) still leaves a complete factorization, as MLX returns it.
        for (int64_t i = 0; i < m; ++i)
          for (int64_t j = 0; j < n; ++j) lu[i * n + j] = a[size_t(j * m + i)];
        for (int j = 0; j < K; ++j) piv[j] = uint32_t(ipiv[size_t(j)] - 1);
        for (int j = K - 1; j >= 0; --j) std::swap(perm[j], perm[piv[j]]);
        break;
      }
    }
  }
}

}  // namespace

void linalg(const Step& s) {
  s.expect_inputs(1);
  const View& x = s.input(0);
  if (x.ndim < 2) linalg_fail(s, "expected an array of at least 2 dimensions");
  if (x.dtype != Dt::F32 && x.dtype != Dt::F64) linalg_fail(s, "expected float32 or float64");
  const int64_t m = x.shape[x.ndim - 2], n = x.shape[x.ndim - 1];
  if (m > INT_MAX / 8 || n > INT_MAX / 8 || m * n > INT_MAX)
    linalg_fail(s, "the matrices are too large for LAPACK's 32-bit sizes");
  const bool square = s.op == Op::inv || s.op == Op::triInv || s.op == Op::cholesky || s.op == Op::eigh;
  if (square && m != n) linalg_fail(s, "expected square matrices");
  const int outputs = s.op == Op::svd || s.op == Op::luFactor ? 3 : s.op == Op::qr || s.op == Op::eigh ? 2 : 1;
  s.expect_outputs(outputs);
  s.expect_params(s.op == Op::triInv || s.op == Op::cholesky || s.op == Op::eigh ? 1 : 0);
  int64_t count = 1;
  for (int d = 0; d + 2 < x.ndim; ++d) count *= x.shape[d];
  // Every output's size as the contract gives it, so no write below leaves its buffer.
  const int64_t k = std::min(m, n);
  const int64_t want[3][3] = {
      {m * k, k * n, 0}, {m * m, k, n * n}, {m * n, k, m}};  // qr, svd, luFactor; the rest: m * n (and n)
  for (int o = 0; o < outputs; ++o) {
    int64_t per;
    if (s.op == Op::qr)
      per = want[0][o];
    else if (s.op == Op::svd)
      per = want[1][o];
    else if (s.op == Op::luFactor)
      per = want[2][o];
    else if (s.op == Op::eigh)
      per = o == 0 ? n : m * n;
    else
      per = m * n;
    const View& out = s.output(o);
    const bool index = s.op == Op::luFactor && o > 0;
    if (out.size != per * count || out.dtype != (index ? Dt::U32 : x.dtype))
      linalg_fail(s, "unexpected output shape or dtype");
  }
  if (x.dtype == Dt::F32)
    run<float>(s, m, n, count);
  else
    run<double>(s, m, n, count);
}

}  // namespace mlx_cpu
