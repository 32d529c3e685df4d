// randomBits: JAX's threefry2x32 (20 rounds) with JAX's counter layout, as the CPU backend's
// native/random.cc computes it, so a key gives the same bits on both devices: for n outputs, pair i
// of half = ceil(n / 2) pairs encrypts counters (i, half + i), the second 0 past the end (JAX pads
// an odd count with a zero counter), and writes y[i], y[half + i].
#include "common.h"

inline uint rotl32(uint x, uint r) { return (x << r) | (x >> (32u - r)); }

[[kernel]] void random_bits(device const uint* key [[buffer(0)]], device uint* out [[buffer(1)]],
                            constant const uint& n [[buffer(2)]], uint i [[thread_position_in_grid]]) {
  const uint half_n = (n + 1) / 2;
  if (i >= half_n) return;
  const uint k0 = key[0], k1 = key[1];
  const uint ks[3] = {k0, k1, k0 ^ k1 ^ 0x1BD11BDAu};
  const uint rot[2][4] = {{13, 15, 26, 6}, {17, 29, 16, 24}};
  uint x0 = i + ks[0];
  uint x1 = (half_n + i < n ? half_n + i : 0u) + ks[1];
  for (uint r = 0; r < 5; ++r) {
    for (uint j = 0; j < 4; ++j) {
      x0 += x1;
      x1 = rotl32(x1, rot[r & 1][j]);
      x1 ^= x0;
    }
    x0 += ks[(r + 1) % 3];
    x1 += ks[(r + 2) % 3] + r + 1;
  }
  out[i] = x0;
  if (half_n + i < n) out[half_n + i] = x1;
}
