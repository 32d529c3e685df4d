// A process-wide pool of worker threads for parallel_for (parallel.h). Workers block on a
// condition variable between jobs (they never spin while idle, so they leave the cores to a BLAS
// library's threads or to other processes), and one job runs at a time: a caller that finds the
// pool busy (a second JS thread, an executeAsync worker) runs its loop on its own thread instead.
#pragma once

#include <cstdint>

namespace mlx_cpu {

// Threads a parallel loop may use, the calling thread included: MLX_TS_NUM_THREADS when set
// (1 disables the pool), else the CPUs this process may run on. Starts no thread.
int pool_threads();

// True on a pool worker and on a caller while its job runs: a nested parallel_for runs inline.
bool in_parallel_region();

// Runs task(ctx, chunk) for every chunk in [0, chunks) on up to `threads` threads (the caller's
// included), handing chunks out dynamically; returns when all have run. The first exception a
// chunk throws is rethrown here (the remaining chunks are skipped). Runs everything on the
// calling thread when threads <= 1, inside another job, or while the pool is busy.
void run_parallel(int64_t chunks, int threads, void (*task)(void* ctx, int64_t chunk), void* ctx);

}  // namespace mlx_cpu
