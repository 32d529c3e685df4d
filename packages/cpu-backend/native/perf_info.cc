// Exports that say how the addon runs on this machine, for tests, the benchmark and bug reports:
//
//   blasInfo() -> { loaded, library, vendor, corename, detected, config, coretype, coretypeSource, pooled,
//                   ownThreadsFlops, error, gemmKernel }
//       the BLAS that float32/float64 matmul uses (blas.h); corename is the kernel OpenBLAS runs,
//       detected the one it picked by itself; gemmKernel the built-in GEMM's float32 micro-kernel
//       ("avx512-12x32" or "vector-6x16", gemm_avx512.h), which serves what BLAS does not.
//   lapackInfo() -> { loaded, library, error }  the LAPACK that mx.linalg uses (lapack.h).
//   threadInfo() -> { threads }  threads a parallel kernel uses (MLX_TS_NUM_THREADS overrides).
//   bufferCacheStats() -> { enabled, minBytes, capBytes, cachedBytes, liveBytes, hits, misses }
//   bufferCacheTrim()    returns every cached block to the system.
#include "perf_info.h"

#include "allocator.h"
#include "blas.h"
#include "gemm_avx512.h"
#include "lapack.h"
#include "thread_pool.h"

namespace mlx_cpu {

namespace {

Napi::Value BlasInfoJs(const Napi::CallbackInfo& info) {
  const BlasInfo& b = blas_info();
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("loaded", b.loaded);
  o.Set("library", b.library);
  o.Set("vendor", b.vendor);
  o.Set("corename", b.corename);
  o.Set("detected", b.detected);
  o.Set("config", b.config);
  o.Set("coretype", b.coretype);
  o.Set("coretypeSource", b.coretype_source);
  o.Set("pooled", b.pooled);
  o.Set("ownThreadsFlops", b.own_threads_flops);
  o.Set("error", b.error);
  o.Set("gemmKernel", gemm_avx512_enabled() ? "avx512-12x32" : "vector-6x16");
  return o;
}

Napi::Value LapackInfoJs(const Napi::CallbackInfo& info) {
  const LapackInfo& l = lapack_info();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("loaded", l.loaded);
  o.Set("library", l.library);
  o.Set("error", l.error);
  return o;
}

Napi::Value ThreadInfoJs(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("threads", pool_threads());
  return o;
}

Napi::Value BufferCacheStatsJs(const Napi::CallbackInfo& info) {
  const BufferCacheStats s = buffer_cache_stats();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("enabled", s.enabled);
  o.Set("minBytes", double(s.min_bytes));
  o.Set("capBytes", double(s.cap_bytes));
  o.Set("cachedBytes", double(s.cached_bytes));
  o.Set("liveBytes", double(s.live_bytes));
  o.Set("hits", double(s.hits));
  o.Set("misses", double(s.misses));
  return o;
}

Napi::Value BufferCacheTrimJs(const Napi::CallbackInfo& info) {
  buffer_cache_trim();
  return info.Env().Undefined();
}

}  // namespace

void add_perf_exports(Napi::Env env, Napi::Object exports) {
  exports.Set("blasInfo", Napi::Function::New(env, BlasInfoJs, "blasInfo"));
  exports.Set("lapackInfo", Napi::Function::New(env, LapackInfoJs, "lapackInfo"));
  exports.Set("threadInfo", Napi::Function::New(env, ThreadInfoJs, "threadInfo"));
  exports.Set("bufferCacheStats", Napi::Function::New(env, BufferCacheStatsJs, "bufferCacheStats"));
  exports.Set("bufferCacheTrim", Napi::Function::New(env, BufferCacheTrimJs, "bufferCacheTrim"));
}

}  // namespace mlx_cpu
