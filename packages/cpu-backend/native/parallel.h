// The seam for multi-threading: every kernel hands its outer loop to parallel_for in independent
// chunks, which the thread pool (thread_pool.h) runs on the cores. A loop shorter than two grains
// runs on the calling thread, as does a loop nested inside another parallel loop.
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "thread_pool.h"

namespace mlx_cpu {

// Chunks per thread: more than one, so that a core slowed by other work (another process, a
// BLAS thread winding down) delays its share rather than the whole loop.
constexpr int64_t kChunksPerThread = 4;

// Calls fn(begin, end) over disjoint chunks covering [0, n), each at least `grain` long, possibly
// on several threads at once. Chunks are the same for a given n and grain on a given machine.
template <class F>
inline void parallel_for(int64_t n, int64_t grain, F&& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  const int64_t most = n / grain;
  if (most < 2 || in_parallel_region()) {
    fn(int64_t(0), n);
    return;
  }
  const int threads = pool_threads();
  if (threads <= 1) {
    fn(int64_t(0), n);
    return;
  }
  struct Ctx {
    std::remove_reference_t<F>* fn;
    int64_t n, chunks;
  } ctx{&fn, n, std::min<int64_t>(most, threads * kChunksPerThread)};
  run_parallel(
      ctx.chunks, threads,
      [](void* p, int64_t c) {
        const Ctx& x = *static_cast<const Ctx*>(p);
        (*x.fn)(x.n / x.chunks * c + std::min(c, x.n % x.chunks),
                x.n / x.chunks * (c + 1) + std::min(c + 1, x.n % x.chunks));
      },
      &ctx);
}

// For reductions that keep one partial result per chunk and combine them afterwards in chunk
// order, so the result depends on n, grain and the machine's thread count but not on timing:
// chunk_count says how many chunks, for_each_chunk runs fn(chunk, begin, end) for each.
inline int64_t chunk_count(int64_t n, int64_t grain) {
  if (n <= 0) return 0;
  const int64_t most = n / std::max<int64_t>(grain, 1);
  const int threads = pool_threads();
  return (most < 2 || threads <= 1) ? 1 : std::min<int64_t>(most, threads * kChunksPerThread);
}

template <class F>
inline void for_each_chunk(int64_t n, int64_t chunks, F&& fn) {
  if (n <= 0 || chunks <= 0) return;
  struct Ctx {
    std::remove_reference_t<F>* fn;
    int64_t n, chunks;
  } ctx{&fn, n, chunks};
  run_parallel(
      chunks, pool_threads(),
      [](void* p, int64_t c) {
        const Ctx& x = *static_cast<const Ctx*>(p);
        (*x.fn)(c, x.n / x.chunks * c + std::min(c, x.n % x.chunks),
                x.n / x.chunks * (c + 1) + std::min(c + 1, x.n % x.chunks));
      },
      &ctx);
}

}  // namespace mlx_cpu
