// matmul: C[b] = A[b] @ B[b] for contiguous row-major A [batch, M, K] and B [batch, K, N] (the host
// broadcasts and copies batch dims first). A threadgroup of 4 simd-groups computes a 32x32 tile of
// C: each simd-group a 16x16 quarter as 2x2 simdgroup_matrix<float, 8, 8> accumulators. K is walked
// in steps of 16 through threadgroup tiles of A and B held in float (simdgroup_load needs the tile's
// own type, and float accumulation is what the CPU backend does for the 16-bit floats), zero-padded
// past the edges so partial tiles need no special case.
#include "common.h"

constant constexpr uint kTileM = 32, kTileN = 32, kTileK = 16, kMatmulThreads = 128;

template <typename T>
[[kernel]] void matmul_tiled(device const T* a [[buffer(0)]], device const T* b [[buffer(1)]],
                             device T* c [[buffer(2)]], constant const uint& M [[buffer(3)]],
                             constant const uint& N [[buffer(4)]], constant const uint& K [[buffer(5)]],
                             uint3 tg [[threadgroup_position_in_grid]], uint lid [[thread_index_in_threadgroup]],
                             uint lane [[thread_index_in_simdgroup]], uint sg [[simdgroup_index_in_threadgroup]]) {
  threadgroup float as[kTileM * kTileK];
  threadgroup float bs[kTileK * kTileN];
  threadgroup float stage[4 * 64];
  const uint row0 = tg.y * kTileM, col0 = tg.x * kTileN;
  device const T* ab = a + ulong(tg.z) * M * K;
  device const T* bb = b + ulong(tg.z) * K * N;
  device T* cb = c + ulong(tg.z) * M * N;
  // This simd-group's quarter of the tile.
  const uint sr = (sg / 2) * 16, sc = (sg % 2) * 16;
  simdgroup_matrix<float, 8, 8> acc[2][2];
  for (uint i = 0; i < 2; ++i)
    for (uint j = 0; j < 2; ++j) acc[i][j] = make_filled_simdgroup_matrix<float, 8, 8>(0.0f);
  for (uint k0 = 0; k0 < K; k0 += kTileK) {
    for (uint e = lid; e < kTileM * kTileK; e += kMatmulThreads) {
      const uint r = e / kTileK, k = e % kTileK;
      as[e] = row0 + r < M && k0 + k < K ? float(ab[ulong(row0 + r) * K + k0 + k]) : 0.0f;
    }
    for (uint e = lid; e < kTileK * kTileN; e += kMatmulThreads) {
      const uint k = e / kTileN, col = e % kTileN;
      bs[e] = k0 + k < K && col0 + col < N ? float(bb[ulong(k0 + k) * N + col0 + col]) : 0.0f;
    }
    threadgroup_barrier(mem_flags::mem_threadgroup);
    for (uint kk = 0; kk < kTileK; kk += 8) {
      simdgroup_matrix<float, 8, 8> am[2], bm[2];
      for (uint i = 0; i < 2; ++i) simdgroup_load(am[i], as + (sr + 8 * i) * kTileK + kk, kTileK);
      for (uint j = 0; j < 2; ++j) simdgroup_load(bm[j], bs + kk * kTileN + sc + 8 * j, kTileN);
      for (uint i = 0; i < 2; ++i)
        for (uint j = 0; j < 2; ++j) simdgroup_multiply_accumulate(acc[i][j], am[i], bm[j], acc[i][j]);
    }
    threadgroup_barrier(mem_flags::mem_threadgroup);
  }
  // Each 8x8 accumulator goes out through this simd-group's staging tile, so edges are masked.
  for (uint i = 0; i < 2; ++i)
    for (uint j = 0; j < 2; ++j) {
      simdgroup_store(acc[i][j], stage + sg * 64, 8);
      simdgroup_barrier(mem_flags::mem_threadgroup);
      for (uint e = lane; e < 64; e += 32) {
        const uint r = row0 + sr + 8 * i + e / 8, col = col0 + sc + 8 * j + e % 8;
        if (r < M && col < N) cb[ulong(r) * N + col] = T(stage[sg * 64 + e]);
      }
      simdgroup_barrier(mem_flags::mem_threadgroup);
    }
}

#define MLX_TS_MATMUL_INST(dname, T, _) MLX_TS_INSTANTIATE("matmul_tiled_" #dname, matmul_tiled<T>)
MLX_TS_METAL_FLOATS(MLX_TS_MATMUL_INST, _)
