// float32 transcendental functions written branch-free (selects, integer bit tricks, no calls), so
// that a loop applying one to contiguous data vectorizes (GCC/Clang -O3, any SIMD width). They use
// Cephes-style range reduction and polynomials evaluated by Horner steps (madd): fused
// multiply-adds where the build targets a CPU that has them (-march=native on x86-64 with FMA,
// AArch64), separate multiplies and adds otherwise. A kernel and a generated kernel built with
// the same flags round identically; a portable build may differ from a native one in the last
// bit. Fused steps make exp about 1.5x faster on AVX2.
// Accuracy (against float64 over a sweep of float32's range, and in test/perf-kernels.test.ts):
// exp, expm1, log and tanh within 1.5 ulp, log1p, sigmoid and erf within 2.5 ulp. Special values (NaN, +-inf,
// +-0, subnormals, overflow to inf, underflow to 0) follow the C library.
#pragma once

#include <cstdint>
#include <cstring>

namespace mlx_cpu {
namespace vm {

// a * b + c, rounded once where the target has FMA (an explicit fma is unaffected by
// -ffp-contract=off, which keeps the compiler from fusing anything else).
inline float madd(float a, float b, float c) {
#if defined(__FMA__) || defined(__aarch64__)
  return __builtin_fmaf(a, b, c);
#else
  return a * b + c;
#endif
}

inline int32_t as_int(float x) {
  int32_t i;
  std::memcpy(&i, &x, sizeof i);
  return i;
}
inline float as_float(int32_t i) {
  float x;
  std::memcpy(&x, &i, sizeof x);
  return x;
}

// Round to nearest integer for |x| < 2^22 (adding and removing 1.5 * 2^23).
inline float round_small(float x) {
  constexpr float kMagic = 12582912.0f;
  return (x + kMagic) - kMagic;
}

// 2^n for integer n in [-126, 127] (n passed as an exact float).
inline float pow2(int32_t n) { return as_float((n + 127) << 23); }

constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693359375f;     // 9 significant bits: n * kLn2Hi is exact
constexpr float kLn2Lo = -2.12194440e-4f;  // ln 2 - kLn2Hi

// e^x on the reduced range: x = n ln2 + r, |r| <= ln2 / 2. Returns n (as an integer) and r.
inline float reduce_exp(float x, int32_t* n) {
  const float fn = round_small(x * kLog2e);
  *n = int32_t(fn);
  return (x - fn * kLn2Hi) - fn * kLn2Lo;
}

// e^r - 1 for |r| <= ln2 / 2 (Taylor to degree 8: truncation below 1e-9 relative).
inline float expm1_reduced(float r) {
  float p = 2.48015873e-5f;        // 1/8!
  p = madd(p, r, 1.98412698e-4f);  // 1/7!
  p = madd(p, r, 1.38888889e-3f);  // 1/6!
  p = madd(p, r, 8.33333333e-3f);  // 1/5!
  p = madd(p, r, 4.16666667e-2f);  // 1/4!
  p = madd(p, r, 1.66666667e-1f);  // 1/3!
  p = madd(p, r, 0.5f);
  return madd(r * r, p, r);
}

inline float exp(float x) {
  // Beyond these e^x is inf or 0 (the clamp also keeps the integer conversion defined).
  float xc = x < -104.0f ? -104.0f : x;
  xc = xc > 89.0f ? 89.0f : xc;
  xc = x != x ? 0.0f : xc;
  int32_t n;
  const float r = reduce_exp(xc, &n);
  // Cephes expf's polynomial for e^r.
  float p = 1.9875691500e-4f;
  p = madd(p, r, 1.3981999507e-3f);
  p = madd(p, r, 8.3334519073e-3f);
  p = madd(p, r, 4.1665795894e-2f);
  p = madd(p, r, 1.6666665459e-1f);
  p = madd(p, r, 5.0000001201e-1f);
  const float y = madd(p, r * r, r) + 1.0f;
  // n in [-150, 128]: scale in two exact halves so subnormal results round once.
  const int32_t n1 = n >> 1, n2 = n - n1;
  const float out = (y * pow2(n1)) * pow2(n2);
  return x != x ? x : out;
}

inline float expm1(float x) {
  float xc = x < -30.0f ? -30.0f : x;
  xc = xc > 89.0f ? 89.0f : xc;
  xc = x != x ? 0.0f : xc;
  int32_t n;
  const float r = reduce_exp(xc, &n);
  const float p = expm1_reduced(r);
  // e^x - 1 = 2^n (e^r - 1) + (2^n - 1), exact in its parts while n <= 24; beyond that the
  // - 1 vanishes and 2^n (e^r - 1 + 1) scales in two halves (n reaches 128).
  const int32_t n1 = n >> 1, n2 = n - n1;
  const float t = pow2(n1) * pow2(n2);
  const float near = madd(t, p, t - 1.0f);
  const float far = ((p + 1.0f) * pow2(n1)) * pow2(n2);
  float out = n > 24 ? far : near;
  out = n == 0 ? p : out;
  // Tiny x: expm1(x) = x to within rounding (and keeps -0 and subnormals exact).
  const float ax = x < 0 ? -x : x;
  out = ax < 1e-8f ? x : out;
  return x != x ? x : out;
}

// log for x > 0 finite normal or subnormal; the caller handles the rest.
inline float log_positive(float x) {
  // Subnormals: scale into the normal range.
  const bool sub = x < 1.17549435e-38f;
  const float xs = sub ? x * 8388608.0f : x;  // 2^23
  const int32_t bits = as_int(xs);
  // x = m 2^e with m in [sqrt(1/2), sqrt(2)).
  int32_t e = ((bits >> 23) & 0xff) - 126;
  float m = as_float((bits & 0x007fffff) | 0x3f000000);  // [0.5, 1)
  const bool low = m < 0.707106781186547524f;
  e = low ? e - 1 : e;
  m = low ? (m + m) - 1.0f : m - 1.0f;
  const float fe = float(e) - (sub ? 23.0f : 0.0f);
  const float z = m * m;
  // Cephes logf's polynomial.
  float p = 7.0376836292e-2f;
  p = madd(p, m, -1.1514610310e-1f);
  p = madd(p, m, 1.1676998740e-1f);
  p = madd(p, m, -1.2420140846e-1f);
  p = madd(p, m, 1.4249322787e-1f);
  p = madd(p, m, -1.6668057665e-1f);
  p = madd(p, m, 2.0000714765e-1f);
  p = madd(p, m, -2.4999993993e-1f);
  p = madd(p, m, 3.3333331174e-1f);
  float y = (m * z) * p;
  y = y + fe * kLn2Lo;
  y = y - 0.5f * z;
  return (m + y) + fe * kLn2Hi;
}

inline float log(float x) {
  const float xp = (x > 0.0f && x < __builtin_inff()) ? x : 1.0f;  // keep the bit tricks on finite numbers
  float out = log_positive(xp);
  out = x == 0.0f ? -__builtin_inff() : out;
  out = x < 0.0f ? __builtin_nanf("") : out;
  out = x == __builtin_inff() ? x : out;
  return x != x ? x : out;
}

inline float log1p(float x) {
  // Goldberg: log1p(x) = log(u) * x / (u - 1) with u = 1 + x rounded, exact where u == 1.
  const float u = 1.0f + x;
  const float up = (u > 0.0f && u < __builtin_inff()) ? u : 2.0f;
  const float d = up - 1.0f;
  const float q = d == 0.0f ? 1.0f : x / d;
  float out = log_positive(up) * q;
  out = u == 1.0f ? x : out;
  out = u == 0.0f ? -__builtin_inff() : out;
  out = u < 0.0f ? __builtin_nanf("") : out;
  out = u == __builtin_inff() ? u : out;
  return x != x ? x : out;
}

inline float tanh(float x) {
  const float ax = x < 0 ? -x : x;
  // Small |x|: Cephes tanhf's odd polynomial.
  const float z = x * x;
  float p = -5.70498872745e-3f;
  p = madd(p, z, 2.06390887954e-2f);
  p = madd(p, z, -5.37397155531e-2f);
  p = madd(p, z, 1.33314422036e-1f);
  p = madd(p, z, -3.33332819422e-1f);
  const float small = madd(p * z, x, x);
  // Otherwise 1 - 2 / (e^(2|x|) + 1); e^(2|x|) overflows to inf past 44, giving 1.
  const float e = vm::exp(ax + ax);
  float big = 1.0f - 2.0f / (e + 1.0f);
  big = x < 0 ? -big : big;
  float out = ax < 0.625f ? small : big;
  out = x == 0.0f ? x : out;  // keeps -0
  return x != x ? x : out;
}

// 1 / (1 + e^-x), from e = e^-|x| so that the tail toward -inf keeps its digits (e / (1 + e)).
inline float sigmoid(float x) {
  const float e = vm::exp(x < 0 ? x : -x);
  const float d = 1.0f + e;
  return x < 0 ? e / d : 1.0f / d;
}

// erf: for |x| < 1 the Maclaurin series 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)) to n = 10
// (the next term is below 1e-9); beyond, 1 - erfc(|x|) with the Chebyshev fit of Numerical Recipes
// (2nd ed., section 6.2: erfc(z) = t exp(-z^2 + P(t)), t = 1 / (1 + z/2), relative error below
// 1.2e-7), whose error the subtraction from 1 shrinks below float32's spacing.
inline float erf(float x) {
  const float ax = x < 0 ? -x : x;
  const float z = x * x;
  float p = 1.48071928e-08f;  // c_10, ..., c_0: c_n = 2/sqrt(pi) (-1)^n / (n! (2n+1))
  p = madd(p, z, -1.63658447e-07f);
  p = madd(p, z, 1.64621144e-06f);
  p = madd(p, z, -1.49256504e-05f);
  p = madd(p, z, 1.20553330e-04f);
  p = madd(p, z, -8.54832702e-04f);
  p = madd(p, z, 5.22397763e-03f);
  p = madd(p, z, -2.68661706e-02f);
  p = madd(p, z, 1.12837917e-01f);
  p = madd(p, z, -3.76126389e-01f);
  p = madd(p, z, 1.12837917e+00f);
  const float small = p * x;
  const float t = 1.0f / madd(0.5f, ax, 1.0f);
  float q = 0.17087277f;
  q = madd(q, t, -0.82215223f);
  q = madd(q, t, 1.48851587f);
  q = madd(q, t, -1.13520398f);
  q = madd(q, t, 0.27886807f);
  q = madd(q, t, -0.18628806f);
  q = madd(q, t, 0.09678418f);
  q = madd(q, t, 0.37409196f);
  q = madd(q, t, 1.00002368f);
  q = madd(q, t, -1.26551223f);
  // exp underflows to 0 past |x| ~ 10, giving erf = +-1.
  float big = 1.0f - t * vm::exp(q - z);
  big = x < 0 ? -big : big;
  const float out = ax < 1.0f ? small : big;
  return x != x ? x : out;
}

}  // namespace vm
}  // namespace mlx_cpu
