// The one exception type kernels throw; the N-API glue turns it into a JS Error.
#pragma once

#include <stdexcept>
#include <string>

namespace mlx_cpu {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace mlx_cpu
