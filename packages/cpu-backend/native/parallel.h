// The seam for multi-threading: every kernel hands its outer loop to parallel_for in independent
// chunks. It runs them on the calling thread for now; a thread pool replaces this body later.
#pragma once

#include <cstdint>

namespace mlx_cpu {

// Calls fn(begin, end) over disjoint chunks covering [0, n), each at least `grain` long.
template <class F>
inline void parallel_for(int64_t n, int64_t grain, F&& fn) {
  (void)grain;
  if (n > 0) fn(int64_t(0), n);
}

}  // namespace mlx_cpu
