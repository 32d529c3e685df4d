#include "lapack.h"

#include <cstdlib>
#include <vector>

#ifdef MLX_TS_BLAS_RUNTIME
#include <dlfcn.h>
#endif

#include "blas.h"

namespace mlx_cpu {

namespace {

struct Lapack {
  LapackInfo info;
  LapackFns<float> s{};
  LapackFns<double> d{};
};

#ifdef MLX_TS_BLAS_RUNTIME
std::vector<std::string> candidates() {
  if (const char* env = std::getenv("MLX_TS_LAPACK")) {
    const std::string v = env;
    if (v == "0" || v == "off" || v == "OFF" || v == "false") return {};
    if (!v.empty() && v != "1" && v != "on" && v != "ON" && v != "true") return {v};
  }
  std::vector<std::string> libs;
  const BlasInfo& b = blas_info();
  if (b.loaded) libs.push_back(b.library);
#if defined(__APPLE__)
  libs.push_back("/System/Library/Frameworks/Accelerate.framework/Accelerate");
#else
  libs.insert(libs.end(), {"liblapack.so.3", "liblapack.so"});
#endif
  return libs;
}

template <class F>
bool get(void* handle, const char* name, F& f) {
  f = reinterpret_cast<F>(dlsym(handle, name));
  return f != nullptr;
}

// Every routine of one precision, or false; complex_prefix names the complex geev of that precision
// ("" for none: mlx-ts's only complex dtype is complex64, so double resolves no zgeev).
template <class T>
bool resolve(void* h, LapackFns<T>& f, const char* p, const char* complex_prefix) {
  const std::string x = p;
  const std::string c = complex_prefix;
  return get(h, (x + "geqrf_").c_str(), f.geqrf) && get(h, (x + "orgqr_").c_str(), f.orgqr) &&
         get(h, (x + "gesdd_").c_str(), f.gesdd) && get(h, (x + "getrf_").c_str(), f.getrf) &&
         get(h, (x + "getri_").c_str(), f.getri) && get(h, (x + "potrf_").c_str(), f.potrf) &&
         get(h, (x + "trtri_").c_str(), f.trtri) && get(h, (x + "syevd_").c_str(), f.syevd) &&
         get(h, (x + "geev_").c_str(), f.geev) && (c.empty() || get(h, (c + "geev_").c_str(), f.cgeev));
}

Lapack* load() {
  auto* l = new Lapack();
  const std::vector<std::string> libs = candidates();
  if (libs.empty()) {
    l->info.error = "disabled by MLX_TS_LAPACK";
    return l;
  }
  std::string errors;
  for (const std::string& lib : libs) {
    void* handle = dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* e = dlerror();
      if (libs.size() == 1) errors = e ? e : "dlopen failed";
      continue;
    }
    if (resolve(handle, l->s, "s", "c") && resolve(handle, l->d, "d", "")) {
      l->info.loaded = true;
      l->info.library = lib;
      return l;
    }
    dlclose(handle);
    l->s = {};
    l->d = {};
  }
  l->info.error = errors.empty() ? "no LAPACK library found" : errors;
  return l;
}
#else
Lapack* load() {
  auto* l = new Lapack();
  l->info.error = "built without run-time library loading (-DMLX_TS_BLAS=OFF)";
  return l;
}
#endif

Lapack& state() {
  static Lapack* l = load();  // never unloaded
  return *l;
}

}  // namespace

const LapackInfo& lapack_info() { return state().info; }

template <>
const LapackFns<float>* lapack<float>() {
  return state().info.loaded ? &state().s : nullptr;
}
template <>
const LapackFns<double>* lapack<double>() {
  return state().info.loaded ? &state().d : nullptr;
}

}  // namespace mlx_cpu
