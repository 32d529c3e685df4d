// The one exception type kernels throw; the N-API glue turns it into a JS Error.
#pragma once

#include <stdexcept>
#include <string>

namespace mlx_cpu {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// For fixed messages; messages built from values use `if (...) throw Error(...)` so that the string
// is only assembled on failure.
inline void require(bool ok, const char* what) {
  if (!ok) throw Error(what);
}

}  // namespace mlx_cpu
