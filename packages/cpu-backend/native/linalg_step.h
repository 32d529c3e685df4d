#pragma once
// What the linalg kernels (linalg.cc, eig.cc) share: the function a step's errors name, and LAPACK
// or an Error saying what to install.
#include <string>

#include "errors.h"
#include "kernels.h"
#include "lapack.h"

namespace mlx_cpu {

// The mx.linalg function a linalg step computes ("linalg.qr", ...), for its errors.
const char* linalg_name(Op op);

[[noreturn]] inline void linalg_fail(const Step& s, const std::string& what) {
  throw Error(std::string(linalg_name(s.op)) + ": " + what);
}

template <class T>
const LapackFns<T>& linalg_lapack(const Step& s) {
  const LapackFns<T>* f = lapack<T>();
  if (!f)
    linalg_fail(s, "needs LAPACK, which is not loaded (" + lapack_info().error +
                       "); install it: apt-get install liblapack3 (or libopenblas0)");
  return *f;
}

}  // namespace mlx_cpu
