// Kernels that compile generates at run time: the TypeScript side (src/jit/) writes C++ for a
// fused elementwise program, builds it into a shared library with the compiler and flags this
// addon was built with, and loads it here; `compiled` steps then name the kernel by its id.
#pragma once

#include <napi.h>

#include <cstdint>

namespace mlx_cpu {

// y[j] = program(in[0][j], ..., in[k-1][j]) for j in [0, n): every pointer is contiguous and holds
// its register's dtype; `constants` holds the program's constant instructions' values in order
// (a kernel is made per program structure, not per constant). Exported by a generated library
// as `mlx_ts_kernel_<hash of its source>`.
using FusedKernel = void (*)(const void* const* in, void* out, int64_t n, const double* constants);

// Throws for an id that loadKernel did not return.
FusedKernel fused_kernel(int64_t id);

// loadKernel(path, symbol) -> id, and jitConfig() -> {compiler, flags, includeDir, abi}.
void add_jit_exports(Napi::Env env, Napi::Object exports);

}  // namespace mlx_cpu
