// Compiles the backend's .metal sources as C++17 (g++ or clang++ on Linux) and runs them on a CPU
// grid, so every kernel is checked against the CPU backend before a Mac sees it. Include this
// header, then the .metal files. What it cannot emulate is listed in the package README ("The shim").
//
// Each threadgroup's threads run as fibers (ucontext) on one OS thread: a thread runs until it
// reaches threadgroup_barrier or a simd-group operation, then the next one runs, so barriers and
// simd-group collectives see exactly Metal's ordering guarantees (and no more: the order in which
// threads run between barriers is fixed, where a GPU's is not).
#pragma once

#include <ucontext.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

// One source for float16/bfloat16 rounding: the CPU backend's, so both sides store identical bits.
#include "../../cpu-backend/native/half.h"

namespace metal_shim {

struct uint2 {
  uint32_t x = 0, y = 0;
};
struct uint3 {
  uint32_t x = 0, y = 0, z = 0;
};

// MSL's half and bfloat: stored as bits, computed in float. A float operation rounded once to half
// is the correctly rounded half operation for + - * / sqrt (float has more than 2p+2 bits), which
// is what Metal's half arithmetic gives.
struct half {
  uint16_t bits = 0;
  half() = default;
  half(float f) : bits(mlx_cpu::float_to_f16(f)) {}
  operator float() const { return mlx_cpu::f16_to_float(bits); }
};
struct bfloat {
  uint16_t bits = 0;
  bfloat() = default;
  bfloat(float f) : bits(mlx_cpu::float_to_bf16(f)) {}
  operator float() const { return mlx_cpu::bf16_to_float(bits); }
};

// ---- the fiber grid ----

enum class mem_flags { mem_none, mem_device, mem_threadgroup, mem_texture };

constexpr int kSimdWidth = 32;

struct Group {
  int n = 0;
  int cur = 0;
  int alive = 0;
  std::vector<ucontext_t> ctx;
  ucontext_t main{};
  std::vector<uint8_t> done;
  uint64_t bar_gen = 0;
  int bar_count = 0;
  std::vector<uint64_t> simd_gen;
  std::vector<int> simd_count;
  // Each lane's operand of the simd-group operation in progress (16 bytes covers every scalar).
  std::vector<unsigned char> slots;
  uint64_t progress = 0;
};

inline Group*& current_group() {
  static thread_local Group* g = nullptr;
  return g;
}

inline void fiber_yield() {
  Group* g = current_group();
  swapcontext(&g->ctx[size_t(g->cur)], &g->main);
}

inline void threadgroup_barrier(mem_flags = mem_flags::mem_threadgroup) {
  Group* g = current_group();
  const uint64_t gen = g->bar_gen;
  if (++g->bar_count == g->n) {
    g->bar_count = 0;
    g->bar_gen++;
    g->progress++;
  } else {
    while (g->bar_gen == gen) fiber_yield();
  }
}
inline void simdgroup_barrier(mem_flags = mem_flags::mem_none);

inline int simd_lanes(const Group* g, int sg) { return std::min(kSimdWidth, g->n - sg * kSimdWidth); }

// Waits until every lane of the caller's simd-group has arrived.
inline void simd_rendezvous() {
  Group* g = current_group();
  const int sg = g->cur / kSimdWidth;
  const uint64_t gen = g->simd_gen[size_t(sg)];
  if (++g->simd_count[size_t(sg)] == simd_lanes(g, sg)) {
    g->simd_count[size_t(sg)] = 0;
    g->simd_gen[size_t(sg)]++;
    g->progress++;
  } else {
    while (g->simd_gen[size_t(sg)] == gen) fiber_yield();
  }
}
inline void simdgroup_barrier(mem_flags) { simd_rendezvous(); }

// Every lane publishes `x`; `f(lane values...)` computes the result each lane gets.
template <typename T, typename F>
T simd_collective(T x, F f) {
  static_assert(sizeof(T) <= 16, "simd-group operand too large for the shim");
  Group* g = current_group();
  const int sg = g->cur / kSimdWidth;
  std::memcpy(&g->slots[size_t(g->cur) * 16], &x, sizeof(T));
  simd_rendezvous();
  const int lanes = simd_lanes(g, sg);
  std::vector<T> v(static_cast<size_t>(lanes));
  for (int i = 0; i < lanes; ++i) std::memcpy(&v[size_t(i)], &g->slots[size_t(sg * kSimdWidth + i) * 16], sizeof(T));
  const T r = f(v, g->cur % kSimdWidth);
  // Nobody may overwrite a slot before every lane has read them all.
  simd_rendezvous();
  return r;
}

/** Where a thread sits: what the kernel's position attributes give it. */
struct ThreadPos {
  uint3 gid;        // thread_position_in_grid
  uint3 lid;        // thread_position_in_threadgroup
  uint3 tgid;       // threadgroup_position_in_grid
  uint3 tg_size;    // threads_per_threadgroup
  uint3 grid_size;  // threads_per_grid
  uint32_t lindex;  // thread_index_in_threadgroup
  uint32_t simd_lane;
  uint32_t simd_group;
};

template <typename Body>
struct FiberStart {
  Body* body;
  std::vector<ThreadPos>* pos;
  Group* g;
  static void run(unsigned lo, unsigned hi) {
    auto* self = reinterpret_cast<FiberStart*>((uintptr_t(hi) << 32) | uintptr_t(lo));
    Group* g = self->g;
    const int me = g->cur;
    (*self->body)((*self->pos)[size_t(me)]);
    g->done[size_t(me)] = 1;
    g->alive--;
    g->progress++;
    // uc_link returns to main.
  }
};

constexpr size_t kFiberStack = 256 * 1024;

/**
 * Runs `body(ThreadPos)` for every thread of a grid of `groups` threadgroups of `tg` threads, as
 * dispatchThreadgroups does; `limit` (threads per grid) drops the threads past it, as
 * dispatchThreads does with a grid that is not a multiple of the threadgroup.
 */
template <typename Body>
void dispatch(uint3 groups, uint3 tg, Body body, uint3 limit = {~0u, ~0u, ~0u}) {
  const int n = int(tg.x * tg.y * tg.z);
  static thread_local std::vector<char> stacks;
  if (stacks.size() < size_t(n) * kFiberStack) stacks.resize(size_t(n) * kFiberStack);
  const uint3 grid_size{std::min(groups.x * tg.x, limit.x), std::min(groups.y * tg.y, limit.y),
                        std::min(groups.z * tg.z, limit.z)};
  for (uint32_t gz = 0; gz < groups.z; ++gz)
    for (uint32_t gy = 0; gy < groups.y; ++gy)
      for (uint32_t gx = 0; gx < groups.x; ++gx) {
        std::vector<ThreadPos> pos;
        for (uint32_t z = 0; z < tg.z; ++z)
          for (uint32_t y = 0; y < tg.y; ++y)
            for (uint32_t x = 0; x < tg.x; ++x) {
              const uint3 gid{gx * tg.x + x, gy * tg.y + y, gz * tg.z + z};
              if (gid.x >= grid_size.x || gid.y >= grid_size.y || gid.z >= grid_size.z) continue;
              const uint32_t li = uint32_t(pos.size());
              pos.push_back({gid, {x, y, z}, {gx, gy, gz}, tg, grid_size, li, li % kSimdWidth, li / kSimdWidth});
            }
        Group g;
        g.n = int(pos.size());
        if (g.n == 0) continue;
        g.alive = g.n;
        g.ctx.resize(size_t(g.n));
        g.done.assign(size_t(g.n), 0);
        const int sgs = (g.n + kSimdWidth - 1) / kSimdWidth;
        g.simd_gen.assign(size_t(sgs), 0);
        g.simd_count.assign(size_t(sgs), 0);
        g.slots.assign(size_t(g.n) * 16, 0);
        FiberStart<Body> start{&body, &pos, &g};
        const uintptr_t p = reinterpret_cast<uintptr_t>(&start);
        for (int i = 0; i < g.n; ++i) {
          getcontext(&g.ctx[size_t(i)]);
          g.ctx[size_t(i)].uc_stack.ss_sp = stacks.data() + size_t(i) * kFiberStack;
          g.ctx[size_t(i)].uc_stack.ss_size = kFiberStack;
          g.ctx[size_t(i)].uc_link = &g.main;
          makecontext(&g.ctx[size_t(i)], reinterpret_cast<void (*)()>(&FiberStart<Body>::run), 2,
                      unsigned(p & 0xffffffffu), unsigned(p >> 32));
        }
        Group* saved = current_group();
        current_group() = &g;
        while (g.alive > 0) {
          const uint64_t before = g.progress;
          for (int i = 0; i < g.n; ++i) {
            if (g.done[size_t(i)]) continue;
            g.cur = i;
            swapcontext(&g.main, &g.ctx[size_t(i)]);
          }
          if (g.progress == before) {
            // Every live thread waits at a barrier some thread will never reach: a hang on a GPU.
            std::fprintf(stderr,
                         "metal shim: threadgroup (%u,%u,%u) deadlocked: %d of %d threads wait at a barrier or "
                         "simd-group operation the others never reach\n",
                         gx, gy, gz, g.alive, g.n);
            std::exit(3);
          }
        }
        current_group() = saved;
      }
}

// ---- simdgroup_matrix: 8x8 tiles a simd-group holds together ----
// Every lane keeps the whole tile (on a GPU each holds two elements): loads and stores by all
// lanes read and write the same values, so results match; thread_elements() is not emulated.
template <typename T, int R, int C>
struct simdgroup_matrix {
  T v[R * C];
  simdgroup_matrix() {
    for (auto& x : v) x = T(0.0f);
  }
};

template <typename T, int R, int C>
simdgroup_matrix<T, R, C> make_filled_simdgroup_matrix(T value) {
  simdgroup_matrix<T, R, C> m;
  for (auto& x : m.v) x = value;
  return m;
}

template <typename T, typename P, int R, int C>
void simdgroup_load(simdgroup_matrix<T, R, C>& m, const P* src, uint64_t elements_per_row = C, uint2 origin = {},
                    bool transpose = false) {
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) {
      const uint64_t rr = transpose ? uint64_t(c) : uint64_t(r), cc = transpose ? uint64_t(r) : uint64_t(c);
      m.v[r * C + c] = T(float(src[(rr + origin.y) * elements_per_row + cc + origin.x]));
    }
  simd_rendezvous();
}

template <typename T, typename P, int R, int C>
void simdgroup_store(const simdgroup_matrix<T, R, C>& m, P* dst, uint64_t elements_per_row = C, uint2 origin = {},
                     bool transpose = false) {
  // The tile is written by the simd-group together: every lane's copy is the same.
  simd_rendezvous();
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) {
      const uint64_t rr = transpose ? uint64_t(c) : uint64_t(r), cc = transpose ? uint64_t(r) : uint64_t(c);
      dst[(rr + origin.y) * elements_per_row + cc + origin.x] = P(float(m.v[r * C + c]));
    }
  simd_rendezvous();
}

// d = a * b + c, accumulated in the tile's type as the hardware does (float for float tiles).
template <typename T, int M, int K, int N>
void simdgroup_multiply_accumulate(simdgroup_matrix<T, M, N>& d, const simdgroup_matrix<T, M, K>& a,
                                   const simdgroup_matrix<T, K, N>& b, const simdgroup_matrix<T, M, N>& c) {
  simdgroup_matrix<T, M, N> r;
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      float acc = float(c.v[i * N + j]);
      for (int k = 0; k < K; ++k) acc = std::fma(float(a.v[i * K + k]), float(b.v[k * N + j]), acc);
      r.v[i * N + j] = T(acc);
    }
  d = r;
}

template <typename T>
struct shim_limits : std::numeric_limits<T> {};
template <>
struct shim_limits<half> {
  static half infinity() { return half(INFINITY); }
  static half max() { return half(65504.0f); }
  static half lowest() { return half(-65504.0f); }
};
template <>
struct shim_limits<bfloat> {
  static bfloat infinity() { return bfloat(INFINITY); }
  static bfloat max() { return bfloat(3.3895313892515355e38f); }
  static bfloat lowest() { return bfloat(-3.3895313892515355e38f); }
};

}  // namespace metal_shim

// ---- MSL's standard library, as far as the kernels use it ----
namespace metal {
using metal_shim::bfloat;
using metal_shim::half;
using metal_shim::make_filled_simdgroup_matrix;
using metal_shim::mem_flags;
using metal_shim::simdgroup_barrier;
using metal_shim::simdgroup_load;
using metal_shim::simdgroup_matrix;
using metal_shim::simdgroup_multiply_accumulate;
using metal_shim::simdgroup_store;
using metal_shim::threadgroup_barrier;
using metal_shim::uint2;
using metal_shim::uint3;
using uint = uint32_t;
using ushort = uint16_t;
using uchar = uint8_t;
using ulong = uint64_t;
template <typename T>
using numeric_limits = metal_shim::shim_limits<T>;

template <typename T>
T max(T a, T b) {
  return a < b ? b : a;
}
template <typename T>
T min(T a, T b) {
  return b < a ? b : a;
}
// Metal's fmax/fmin return the other operand for a NaN, like C's.
inline float fmax(float a, float b) { return std::fmax(a, b); }
inline float fmin(float a, float b) { return std::fmin(a, b); }
template <typename T>
T select(T a, T b, bool c) {
  return c ? b : a;
}
template <typename T>
T clamp(T x, T lo, T hi) {
  return min(max(x, lo), hi);
}
template <typename To, typename From>
To as_type(From x) {
  static_assert(sizeof(To) == sizeof(From), "as_type needs equal sizes");
  To r;
  std::memcpy(&r, &x, sizeof(To));
  return r;
}

#define METAL_SHIM_UNARY(name, stdname) \
  inline float name(float x) { return std::stdname(x); }
METAL_SHIM_UNARY(exp, exp)
METAL_SHIM_UNARY(exp2, exp2)
METAL_SHIM_UNARY(log, log)
METAL_SHIM_UNARY(log2, log2)
METAL_SHIM_UNARY(sin, sin)
METAL_SHIM_UNARY(cos, cos)
METAL_SHIM_UNARY(tan, tan)
METAL_SHIM_UNARY(tanh, tanh)
METAL_SHIM_UNARY(sinh, sinh)
METAL_SHIM_UNARY(cosh, cosh)
METAL_SHIM_UNARY(asin, asin)
METAL_SHIM_UNARY(acos, acos)
METAL_SHIM_UNARY(atan, atan)
METAL_SHIM_UNARY(sqrt, sqrt)
METAL_SHIM_UNARY(floor, floor)
METAL_SHIM_UNARY(ceil, ceil)
METAL_SHIM_UNARY(rint, rint)
METAL_SHIM_UNARY(fabs, fabs)
METAL_SHIM_UNARY(erf, erf)
#undef METAL_SHIM_UNARY
inline float rsqrt(float x) { return 1.0f / std::sqrt(x); }
inline float atan2(float y, float x) { return std::atan2(y, x); }
inline float pow(float x, float y) { return std::pow(x, y); }
inline float fmod(float x, float y) { return std::fmod(x, y); }
inline float copysign(float x, float y) { return std::copysign(x, y); }
inline bool isnan(float x) { return std::isnan(x); }
inline bool isinf(float x) { return std::isinf(x); }
inline bool signbit(float x) { return std::signbit(x); }
namespace precise {
using metal::exp;
using metal::log;
using metal::sqrt;
using metal::tanh;
}  // namespace precise

template <typename T>
T simd_sum(T x) {
  return metal_shim::simd_collective(x, [](const std::vector<T>& v, int) {
    T s = v[0];
    for (size_t i = 1; i < v.size(); ++i) s = s + v[i];
    return s;
  });
}
template <typename T>
T simd_max(T x) {
  return metal_shim::simd_collective(x, [](const std::vector<T>& v, int) {
    T s = v[0];
    for (size_t i = 1; i < v.size(); ++i) s = max(s, v[i]);
    return s;
  });
}
template <typename T>
T simd_min(T x) {
  return metal_shim::simd_collective(x, [](const std::vector<T>& v, int) {
    T s = v[0];
    for (size_t i = 1; i < v.size(); ++i) s = min(s, v[i]);
    return s;
  });
}
template <typename T>
T simd_product(T x) {
  return metal_shim::simd_collective(x, [](const std::vector<T>& v, int) {
    T s = v[0];
    for (size_t i = 1; i < v.size(); ++i) s = s * v[i];
    return s;
  });
}
template <typename T>
T simd_shuffle_down(T x, uint delta) {
  // Lanes past the end keep their own value, as Metal's hardware does.
  return metal_shim::simd_collective(x, [delta](const std::vector<T>& v, int lane) {
    return size_t(lane) + delta < v.size() ? v[size_t(lane) + delta] : v[size_t(lane)];
  });
}
template <typename T>
T simd_broadcast(T x, ushort lane) {
  return metal_shim::simd_collective(x, [lane](const std::vector<T>& v, int) { return v[lane]; });
}
template <typename T>
T simd_prefix_inclusive_sum(T x) {
  return metal_shim::simd_collective(x, [](const std::vector<T>& v, int lane) {
    T s = v[0];
    for (int i = 1; i <= lane; ++i) s = s + v[size_t(i)];
    return s;
  });
}
}  // namespace metal

// MSL's keywords: address spaces and the kernel qualifier carry no meaning on a CPU. Defined after
// every standard header, which may use the same words as identifiers. A threadgroup array declared
// in a kernel's body becomes a static: one copy that every fiber of the group (all on one OS thread)
// shares, as the group's threads share threadgroup memory. So `threadgroup` may qualify only such
// declarations (not pointer parameters), a limit the README lists.
#define device
#define constant
#define threadgroup static
#define thread
#define kernel
