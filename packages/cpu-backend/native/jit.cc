#include "jit.h"

#include <dlfcn.h>

#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "errors.h"
#include "jit_kernel.h"

#ifndef MLX_TS_JIT_CXX
#define MLX_TS_JIT_CXX ""
#endif
#ifndef MLX_TS_JIT_FLAGS
#define MLX_TS_JIT_FLAGS ""
#endif
#ifndef MLX_TS_JIT_INCLUDE
#define MLX_TS_JIT_INCLUDE ""
#endif

namespace mlx_cpu {

namespace {

// Loaded kernels are never unloaded: a program's kernel may run again at any later call, and
// each library is a few kilobytes.
std::mutex g_mutex;
std::vector<FusedKernel> g_kernels;

// The symbol's name holds the hash of its source, so a library built from other source (an
// older build, another program) has no symbol of the name asked for.
int load(const std::string& path, const std::string& symbol) {
  void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char* why = dlerror();
    throw Error("cannot load kernel " + path + ": " + (why ? why : "unknown error"));
  }
  const auto* abi = static_cast<const int*>(dlsym(lib, "mlx_ts_kernel_abi"));
  auto* fn = reinterpret_cast<FusedKernel>(dlsym(lib, symbol.c_str()));
  if (!abi || *abi != MLX_TS_JIT_ABI || !fn) {
    dlclose(lib);
    throw Error("kernel " + path + " has no " + symbol + " for this addon's ABI");
  }
  std::lock_guard<std::mutex> lock(g_mutex);
  g_kernels.push_back(fn);
  return int(g_kernels.size() - 1);
}

Napi::Value LoadKernelJs(const Napi::CallbackInfo& info) {
  if (info.Length() != 2 || !info[0].IsString() || !info[1].IsString()) {
    throw Napi::TypeError::New(info.Env(), "loadKernel(path: string, symbol: string)");
  }
  return Napi::Number::New(info.Env(), load(info[0].As<Napi::String>(), info[1].As<Napi::String>()));
}

Napi::Value JitConfigJs(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("compiler", MLX_TS_JIT_CXX);
  o.Set("flags", MLX_TS_JIT_FLAGS);
  o.Set("includeDir", MLX_TS_JIT_INCLUDE);
  o.Set("abi", MLX_TS_JIT_ABI);
  return o;
}

}  // namespace

FusedKernel fused_kernel(int64_t id) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (id < 0 || id >= int64_t(g_kernels.size())) throw Error("unknown generated kernel " + std::to_string(id));
  return g_kernels[size_t(id)];
}

void add_jit_exports(Napi::Env env, Napi::Object exports) {
  exports.Set("loadKernel", Napi::Function::New(env, LoadKernelJs, "loadKernel"));
  exports.Set("jitConfig", Napi::Function::New(env, JitConfigJs, "jitConfig"));
}

}  // namespace mlx_cpu
