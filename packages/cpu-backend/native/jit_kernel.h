// Included by every generated kernel (see jit.h): the functors, dtypes and conversions of the
// addon's own kernels, so a generated kernel rounds exactly as the interpreter does.
#pragma once

#include <cstdint>

#include "dtype.h"
#include "functors.h"

// Bumped whenever the calling convention of generated kernels changes; the loader refuses others.
#define MLX_TS_JIT_ABI 2
#define MLX_TS_JIT_EXPORT extern "C" __attribute__((visibility("default")))
