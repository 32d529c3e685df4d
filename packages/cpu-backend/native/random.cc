// randomBits: JAX's threefry2x32 (20 rounds) with JAX's counter layout, so a key gives the bits
// JAX gives: for n outputs, counters 0..m-1 with m = n rounded up to even, split into halves
// x0 = [0, m/2) and x1 = [m/2, m); the output is concat(y0, y1)[0:n].
#include "kernels.h"
#include "parallel.h"
#include "strided.h"

namespace mlx_cpu {

namespace {

inline uint32_t rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

inline void threefry2x32(uint32_t k0, uint32_t k1, uint32_t& x0, uint32_t& x1) {
  static constexpr int kRot[2][4] = {{13, 15, 26, 6}, {17, 29, 16, 24}};
  const uint32_t ks[3] = {k0, k1, k0 ^ k1 ^ 0x1BD11BDAu};
  x0 += ks[0];
  x1 += ks[1];
  for (int i = 0; i < 5; ++i) {
    for (int r : kRot[i & 1]) {
      x0 += x1;
      x1 = rotl(x1, r);
      x1 ^= x0;
    }
    x0 += ks[(i + 1) % 3];
    x1 += ks[(i + 2) % 3] + uint32_t(i + 1);
  }
}

}  // namespace

void random_bits(const Step& s) {
  s.expect_inputs(1);
  const View& key = s.input(0);
  if (key.dtype != Dt::U32 || key.size != 2) throw Error("the key must be a uint32 array of 2 elements");
  if (s.out.dtype != Dt::U32) throw Error("the output dtype must be uint32");
  uint32_t k[2];
  copy_to_contiguous(key, k);
  uint32_t* y = s.out.at<uint32_t>();
  const int64_t n = s.out.size;
  const int64_t half = (n + 1) / 2;
  parallel_for(half, 1 << 14, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      // JAX pads an odd count with a zero counter, so the last pair's second word is 0, not n.
      uint32_t x0 = uint32_t(i), x1 = half + i < n ? uint32_t(half + i) : 0u;
      threefry2x32(k[0], k[1], x0, x1);
      y[i] = x0;
      if (half + i < n) y[half + i] = x1;
    }
  });
}

}  // namespace mlx_cpu
