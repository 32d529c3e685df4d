#include "blas.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#ifdef MLX_TS_BLAS_RUNTIME
#include <dlfcn.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "parallel.h"

namespace mlx_cpu {

namespace {

// CBLAS with 32-bit integers (LP64), as every library searched here exports it.
constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;
using sgemm_fn = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*,
                          int);
using dgemm_fn = void (*)(int, int, int, int, int, int, double, const double*, int, const double*, int, double, double*,
                          int);

struct Blas {
  BlasInfo info;
  sgemm_fn sgemm = nullptr;
  dgemm_fn dgemm = nullptr;
  void (*openblas_threads)(int) = nullptr;  // openblas_set_num_threads, for products it threads itself
  std::mutex own_threads;                   // one self-threaded product at a time (the count is global)
};

// From this many flops OpenBLAS threads a product itself: its threads share packed panels, where
// the pool's split packs A once per thread. On a 2-core Zen 4 (quiet): 1024^3 156 -> 195 GFLOP/s
// (torch and NumPy on the same OpenBLAS: 200-206), the MLP bench step (256 x 784 x 512 products,
// 2e8 flops) 3.1 -> 2.85 ms.
constexpr double kOwnThreadsFlops = 1e8;

#ifdef MLX_TS_BLAS_RUNTIME
// Sets an environment variable for the library's load, then puts it back as it was.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) had_ = true, old_ = old;
    setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (had_)
      setenv(name_, old_.c_str(), 1);
    else
      unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  bool had_ = false;
  std::string old_;
};

std::vector<std::string> candidates() {
  if (const char* env = std::getenv("MLX_TS_BLAS")) {
    const std::string v = env;
    if (v == "0" || v == "off" || v == "OFF" || v == "false") return {};
    if (!v.empty() && v != "1" && v != "on" && v != "ON" && v != "true") return {v};
  }
#if defined(__APPLE__)
  return {"/System/Library/Frameworks/Accelerate.framework/Accelerate",
          "/opt/homebrew/opt/openblas/lib/libopenblas.dylib", "/usr/local/opt/openblas/lib/libopenblas.dylib",
          "libopenblas.dylib"};
#else
  // OpenBLAS (Debian/Ubuntu: libopenblas.so.0; Fedora's pthread build: libopenblasp.so.0),
  // then BLIS and MKL. The reference BLAS (libblas.so.3) is slower than the built-in GEMM and is
  // never loaded by name.
  return {"libopenblas.so.0", "libopenblasp.so.0", "libopenblas.so", "libblis.so.4",
          "libblis.so.3",     "libblis.so",        "libmkl_rt.so.2", "libmkl_rt.so"};
#endif
}

template <class F>
F sym(void* handle, const char* name) {
  return reinterpret_cast<F>(dlsym(handle, name));
}

// The ISA an OpenBLAS x86 kernel needs: 3 AVX-512, 2 AVX2 + FMA, 1 older; 0 for a name not
// listed, which is never overridden (a kernel newer than this table knows is OpenBLAS's to pick).
int kernel_level(std::string name) {
  for (char& ch : name) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  for (const char* k : {"skylakex", "cooperlake", "sapphirerapids"})
    if (name == k) return 3;
  for (const char* k : {"haswell", "zen"})
    if (name == k) return 2;
  for (const char* k :
       {"katmai",    "coppermine", "northwood", "prescott",    "banias",      "atom",      "core2",
        "penryn",    "dunnington", "nehalem",   "sandybridge", "athlon",      "opteron",   "opteron_sse3",
        "barcelona", "bobcat",     "bulldozer", "piledriver",  "steamroller", "excavator", "nano"})
    if (name == k) return 1;
  return 0;
}

// dlopens the first candidate with CBLAS sgemm/dgemm; "" and the handle nullptr when none loads.
void* open_first(const std::vector<std::string>& libs, Blas* b, std::string* errors) {
  for (const std::string& lib : libs) {
    void* handle = dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* e = dlerror();
      if (libs.size() == 1) *errors = e ? e : "dlopen failed";
      continue;
    }
    b->sgemm = sym<sgemm_fn>(handle, "cblas_sgemm");
    b->dgemm = sym<dgemm_fn>(handle, "cblas_dgemm");
    if (b->sgemm && b->dgemm) {
      b->info.library = lib;
      return handle;
    }
    dlclose(handle);
  }
  b->sgemm = nullptr;
  b->dgemm = nullptr;
  return nullptr;
}

Blas* load() {
  auto* b = new Blas();
  const std::vector<std::string> libs = candidates();
  if (libs.empty()) {
    b->info.error = "disabled by MLX_TS_BLAS";
    return b;
  }
  // One thread for OpenBLAS from the start (no idle pool of its own), and when it threads a large
  // product itself its threads sleep as soon as it is done (OpenBLAS's default keeps them spinning
  // for about 2^28 cycles, ~0.1 s, on the cores the addon's pool needs next).
  std::unique_ptr<ScopedEnv> threads_env, timeout_env;
  if (!std::getenv("OPENBLAS_NUM_THREADS")) threads_env = std::make_unique<ScopedEnv>("OPENBLAS_NUM_THREADS", "1");
  if (!std::getenv("OPENBLAS_THREAD_TIMEOUT"))
    timeout_env = std::make_unique<ScopedEnv>("OPENBLAS_THREAD_TIMEOUT", "4");
  if (const char* set = std::getenv("OPENBLAS_CORETYPE")) {
    b->info.coretype = set;
    b->info.coretype_source = "environment";
  }
  std::string errors;
  void* handle = open_first(libs, b, &errors);
  // OpenBLAS picks its kernel while it loads. Where it picked one for an older ISA than CPUID
  // shows (an OpenBLAS older than the CPU), load it again with OPENBLAS_CORETYPE set; anywhere
  // else its own choice stands, so this never runs a worse kernel than OpenBLAS would.
  if (handle && b->info.coretype_source.empty()) {
    if (auto corename = sym<char* (*)()>(handle, "openblas_get_corename")) {
      b->info.detected = corename();
      const char* want = openblas_coretype_for_cpu();
      const int have = kernel_level(b->info.detected);
      if (want && have > 0 && have < kernel_level(want)) {
        dlclose(handle);
        ScopedEnv coretype_env("OPENBLAS_CORETYPE", want);
        handle = open_first({b->info.library}, b, &errors);
        b->info.coretype = want;
        b->info.coretype_source = "mlx-ts";
      }
    }
  }
  threads_env.reset();
  timeout_env.reset();
  if (!handle) {
    b->info.error = errors.empty() ? "no BLAS library found" : errors;
    b->info.coretype.clear();
    b->info.coretype_source.clear();
    b->info.detected.clear();
    return b;
  }
  b->info.loaded = true;
  if (auto corename = sym<char* (*)()>(handle, "openblas_get_corename")) {
    b->info.vendor = "OpenBLAS";
    b->info.corename = corename();
    if (auto config = sym<char* (*)()>(handle, "openblas_get_config")) b->info.config = config();
    if (auto set_threads = sym<void (*)(int)>(handle, "openblas_set_num_threads")) {
      set_threads(1);
      b->info.pooled = true;
      b->openblas_threads = set_threads;
      b->info.own_threads_flops = kOwnThreadsFlops;
    }
  } else if (auto version = sym<const char* (*)()>(handle, "bli_info_get_version_str")) {
    b->info.vendor = "BLIS";
    b->info.config = version();
    if (auto set_threads = sym<void (*)(int64_t)>(handle, "bli_thread_set_num_threads")) {
      set_threads(1);
      b->info.pooled = true;
    }
  } else if (auto set_threads = sym<void (*)(int)>(handle, "MKL_Set_Num_Threads")) {
    b->info.vendor = "MKL";
    set_threads(1);
    b->info.pooled = true;
  } else {
    b->info.vendor = b->info.library.find("Accelerate") != std::string::npos ? "Accelerate" : "unknown";
  }
  if (b->info.vendor != "OpenBLAS") {
    b->info.coretype.clear();
    b->info.coretype_source.clear();
    b->info.detected.clear();
  }
  return b;
}
#else
Blas* load() {
  auto* b = new Blas();
  b->info.error = "built without BLAS support (-DMLX_TS_BLAS=OFF)";
  return b;
}
#endif

Blas& blas() {
  static Blas* b = load();  // never unloaded
  return *b;
}

// Load while the addon loads: on the main thread, before any kernel runs, so that the
// environment changes above race with nothing.
struct Preload {
  Preload() {
    try {
      blas();
    } catch (...) {
    }
  }
} preload;

// Products below this many flops run as one call: waking a worker costs more than it saves.
constexpr double kSplitFlops = 4e6;

template <class T, class Call>
bool gemm(Call call, bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda, const T* B,
          int64_t ldb, T* C, int64_t ldc, bool accumulate) {
  if (M <= 0 || N <= 0 || K <= 0) return false;
  if (M > INT_MAX || N > INT_MAX || K > INT_MAX || lda > INT_MAX || ldb > INT_MAX || ldc > INT_MAX) return false;
  const int ta_ = ta ? kTrans : kNoTrans, tb_ = tb ? kTrans : kNoTrans;
  const int threads = pool_threads();
  const double flops = 2.0 * double(M) * double(N) * double(K);
  if (!blas().info.pooled || threads <= 1 || flops < kSplitFlops || in_parallel_region()) {
    call(kRowMajor, ta_, tb_, int(M), int(N), int(K), T(1), A, int(lda), B, int(ldb), T(accumulate ? 1 : 0), C,
         int(ldc));
    return true;
  }
  if (blas().openblas_threads && flops >= kOwnThreadsFlops) {
    std::lock_guard<std::mutex> lock(blas().own_threads);
    blas().openblas_threads(threads);
    call(kRowMajor, ta_, tb_, int(M), int(N), int(K), T(1), A, int(lda), B, int(ldb), T(accumulate ? 1 : 0), C,
         int(ldc));
    blas().openblas_threads(1);
    return true;
  }
  // One block of rows (or columns, whichever dimension is longer) per thread; blocks stay
  // multiples of the micro-kernels' tile widths.
  const bool split_n = N >= M;
  const int64_t len = split_n ? N : M;
  const int64_t align = split_n ? 16 : 8;
  const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(threads, len / (4 * align)));
  struct Ctx {
    Call* call;
    bool split_n, ta, tb, accumulate;
    int64_t M, N, K, len, align, parts;
    const T* A;
    const T* B;
    T* C;
    int64_t lda, ldb, ldc;
  } ctx{&call, split_n, ta, tb, accumulate, M, N, K, len, align, parts, A, B, C, lda, ldb, ldc};
  run_parallel(
      parts, threads,
      [](void* p, int64_t c) {
        const Ctx& x = *static_cast<const Ctx*>(p);
        const auto edge = [&](int64_t i) {
          return i >= x.parts ? x.len : std::min(x.len, (x.len * i / x.parts + x.align / 2) / x.align * x.align);
        };
        const int64_t lo = edge(c), hi = edge(c + 1);
        if (hi <= lo) return;
        const int ta_c = x.ta ? kTrans : kNoTrans, tb_c = x.tb ? kTrans : kNoTrans;
        if (x.split_n) {
          const T* b = x.B + (x.tb ? lo * x.ldb : lo);
          (*x.call)(kRowMajor, ta_c, tb_c, int(x.M), int(hi - lo), int(x.K), T(1), x.A, int(x.lda), b, int(x.ldb),
                    T(x.accumulate ? 1 : 0), x.C + lo, int(x.ldc));
        } else {
          const T* a = x.A + (x.ta ? lo : lo * x.lda);
          (*x.call)(kRowMajor, ta_c, tb_c, int(hi - lo), int(x.N), int(x.K), T(1), a, int(x.lda), x.B, int(x.ldb),
                    T(x.accumulate ? 1 : 0), x.C + lo * x.ldc, int(x.ldc));
        }
      },
      &ctx);
  return true;
}

}  // namespace

const BlasInfo& blas_info() { return blas().info; }

bool blas_gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B,
               int64_t ldb, float* C, int64_t ldc, bool accumulate) {
  Blas& b = blas();
  if (!b.sgemm) return false;
  return gemm<float>(b.sgemm, trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
}

bool blas_gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, const double* A, int64_t lda,
               const double* B, int64_t ldb, double* C, int64_t ldc, bool accumulate) {
  Blas& b = blas();
  if (!b.dgemm) return false;
  return gemm<double>(b.dgemm, trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
}

const char* openblas_coretype_for_cpu() {
#if defined(__x86_64__) || defined(__i386__)
  unsigned a, b, c, d;
  if (!__get_cpuid(0, &a, &b, &c, &d) || a < 7) return nullptr;
  const bool amd = b == 0x68747541u /* "Auth" */ || b == 0x6f677948u /* "Hygo" */;
  const bool intel = b == 0x756e6547u /* "Genu" */;
  __get_cpuid(1, &a, &b, &c, &d);
  const bool fma = c & (1u << 12), osxsave = c & (1u << 27), avx = c & (1u << 28);
  if (!osxsave || !avx) return nullptr;
  unsigned xcr0_lo, xcr0_hi;
  __asm__("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
  const bool os_ymm = (xcr0_lo & 0x6) == 0x6, os_zmm = (xcr0_lo & 0xe6) == 0xe6;
  unsigned eax7, ebx7, ecx7, edx7;
  __cpuid_count(7, 0, eax7, ebx7, ecx7, edx7);
  const bool avx2 = ebx7 & (1u << 5);
  const bool avx512 = (ebx7 & (1u << 16)) && (ebx7 & (1u << 17)) && (ebx7 & (1u << 30)) && (ebx7 & (1u << 31));
  bool bf16 = false;
  if (eax7 >= 1) {
    unsigned a1, b1, c1, d1;
    __cpuid_count(7, 1, a1, b1, c1, d1);
    bf16 = a1 & (1u << 5);
  }
  if (avx512 && os_zmm) return bf16 ? "Cooperlake" : "SkylakeX";
  if (avx2 && fma && os_ymm) return amd ? "Zen" : intel ? "Haswell" : nullptr;
  return nullptr;
#else
  return nullptr;
#endif
}

}  // namespace mlx_cpu
