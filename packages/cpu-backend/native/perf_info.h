// The addon's performance-related exports (perf_info.cc): blasInfo, threadInfo, bufferCacheStats
// and bufferCacheTrim. addon.cc's Init calls add_perf_exports(env, exports).
#pragma once

#include <napi.h>

namespace mlx_cpu {

void add_perf_exports(Napi::Env env, Napi::Object exports);

}  // namespace mlx_cpu
