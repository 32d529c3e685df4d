// LAPACK, loaded at run time with dlopen like the BLAS (blas.h), so the addon builds and loads
// without it and mx.linalg says what to install when it is missing.
//
// Search order: MLX_TS_LAPACK=/path/to/liblapack.so loads that library (MLX_TS_LAPACK=0 turns
// LAPACK off); otherwise the BLAS library already loaded, when it exports LAPACK's Fortran
// symbols (OpenBLAS ships LAPACK), then Debian's reference LAPACK (liblapack.so.3, package
// liblapack3), then liblapack.so. Only the Fortran symbols (sgeqrf_, dgesdd_, ...) are used: every
// LAPACK exports them, while LAPACKE is optional. Matrices are column-major in LAPACK, so the
// kernels (linalg.cc) pass row-major buffers as the transposes they are, or transpose explicitly.
#pragma once

#include <cstddef>
#include <string>

namespace mlx_cpu {

struct LapackInfo {
  bool loaded = false;
  std::string library;  // what dlopen loaded
  std::string error;    // why no LAPACK is loaded, when none is
};

// Loads LAPACK on first use.
const LapackInfo& lapack_info();

// Fortran LAPACK with 32-bit integers; the trailing size_t arguments are the hidden lengths of the
// character arguments (gfortran's ABI), always 1.
template <class T>
struct LapackFns {
  void (*geqrf)(const int* m, const int* n, T* a, const int* lda, T* tau, T* work, const int* lwork, int* info);
  void (*orgqr)(const int* m, const int* n, const int* k, T* a, const int* lda, const T* tau, T* work, const int* lwork,
                int* info);
  void (*gesdd)(const char* jobz, const int* m, const int* n, T* a, const int* lda, T* s, T* u, const int* ldu, T* vt,
                const int* ldvt, T* work, const int* lwork, int* iwork, int* info, size_t);
  void (*getrf)(const int* m, const int* n, T* a, const int* lda, int* ipiv, int* info);
  void (*getri)(const int* n, T* a, const int* lda, const int* ipiv, T* work, const int* lwork, int* info);
  void (*potrf)(const char* uplo, const int* n, T* a, const int* lda, int* info, size_t);
  void (*trtri)(const char* uplo, const char* diag, const int* n, T* a, const int* lda, int* info, size_t, size_t);
  void (*syevd)(const char* jobz, const char* uplo, const int* n, T* a, const int* lda, T* w, T* work, const int* lwork,
                int* iwork, const int* liwork, int* info, size_t, size_t);
  // The general eigenproblem: real (s/dgeev: eigenvalues as wr + i wi, a complex pair's vectors in
  // two real columns) and complex (cgeev for float, interleaved (re, im) pairs, rwork 2n reals; null
  // for double, as no dtype needs zgeev).
  void (*geev)(const char* jobvl, const char* jobvr, const int* n, T* a, const int* lda, T* wr, T* wi, T* vl,
               const int* ldvl, T* vr, const int* ldvr, T* work, const int* lwork, int* info, size_t, size_t);
  void (*cgeev)(const char* jobvl, const char* jobvr, const int* n, T* a, const int* lda, T* w, T* vl, const int* ldvl,
                T* vr, const int* ldvr, T* work, const int* lwork, T* rwork, int* info, size_t, size_t);
};

// The routines for float (s..., and cgeev) or double (d...); nullptr when no LAPACK is loaded.
template <class T>
const LapackFns<T>* lapack();

}  // namespace mlx_cpu
