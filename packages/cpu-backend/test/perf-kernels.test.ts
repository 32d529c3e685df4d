/**
 * Correctness of the performance machinery (never timings): the vectorized float32 math, kernels
 * split over the thread pool (chunk edges, kept-axis and all-axis reductions, batched and
 * BLAS-or-built-in matmul), concurrent execute/executeAsync, the output buffer cache, and the
 * BLAS loader's kernel choice.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { bfloat16, bfloat16BitsToNumber, float32, float32ToBfloat16Bits, float64, uint32 } from '@mlx-ts/core';
import { describe, expect, test } from 'vitest';
// The addon's diagnostic exports (native/perf_info.cc).
import { addon } from '../src/addon.js';
import { backend as cpuBackend, f32, input, read, run, step, stepOutput, store, values, view } from './helpers.js';

/**
 * erf in float64 from 2/sqrt(pi) e^(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)), whose terms peak
 * near e^(x^2) (under 1e11 for |x| <= 5, so the sum keeps far more digits than float32 has); past 5,
 * erf is +-1 in float32.
 */
function erf64(x: number): number {
  if (Number.isNaN(x)) return x;
  if (Math.abs(x) > 5) return Math.sign(x);
  let term = x;
  let sum = x;
  for (let n = 1; Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
    term *= (2 * x * x) / (2 * n + 1);
    sum += term;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}

/** Distance in float32 ulps (of the reference) between got and the float64 reference. */
function ulps(got: number, ref: number): number {
  if (Number.isNaN(ref)) return Number.isNaN(got) ? 0 : Infinity;
  const r = Math.fround(ref);
  if (!Number.isFinite(r)) return got === r ? 0 : Infinity;
  const e = Math.max(Math.floor(Math.log2(Math.abs(r) || 2 ** -149)), -126);
  return Math.abs(got - ref) / 2 ** (e - 23);
}

/** Deterministic pseudo-random numbers in [0, 1). */
function rand(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('vectorized float32 math', () => {
  // Dense samples over each function's interesting range plus special values; more than two
  // parallel grains, so the threaded path runs too.
  function samples(lo: number, hi: number, n: number, extra: number[]): number[] {
    const r = rand(42);
    const xs: number[] = [...extra];
    for (let i = 0; i < n; i++) xs.push(Math.fround(lo + (hi - lo) * r()));
    for (let i = 0; i < n / 8; i++) xs.push(Math.fround((r() < 0.5 ? -1 : 1) * 2 ** (r() * 60 - 40)));
    return xs;
  }
  const specials = [0, -0, NaN, Infinity, -Infinity, 1, -1, 2 ** -149, -(2 ** -149), 2 ** -126, 3.4028234663852886e38, -3.4028234663852886e38];
  const cases: [string, (x: number) => number, number, number, number][] = [
    ['exp', Math.exp, -110, 90, 2],
    ['expm1', Math.expm1, -30, 90, 2],
    ['log', Math.log, 0, 100, 2],
    ['log1p', Math.log1p, -1, 100, 3],
    ['tanh', Math.tanh, -12, 12, 2],
    ['sigmoid', (x) => 1 / (1 + Math.exp(-x)), -110, 110, 3],
    ['erf', erf64, -6, 6, 3],
  ];
  for (const [prim, ref, lo, hi, tol] of cases) {
    test(`${prim} is within ${tol} ulp of float64 and handles special values`, () => {
      const xs = samples(lo, hi, 80_000, specials);
      const got = run(prim, [f32(xs)], [xs.length], float32);
      let worst = 0;
      let at = 0;
      for (let i = 0; i < xs.length; i++) {
        const want = ref(Math.fround(xs[i]!));
        const e = ulps(got[i]!, want);
        if (e > worst) ((worst = e), (at = i));
        if (want === 0 || Object.is(want, -0)) expect(Object.is(got[i], want) || got[i] === want, `${prim}(${xs[i]})`).toBe(true);
      }
      expect(worst, `${prim}(${xs[at]}) = ${got[at]}, float64 ${ref(xs[at]!)}`).toBeLessThanOrEqual(tol);
    });
  }

  test('a strided input takes the same path as a contiguous one', () => {
    const n = 1 << 17;
    const xs = Float32Array.from({ length: 2 * n }, (_, i) => (i % 1000) / 100 - 5);
    const contiguous = run('exp', [f32(xs.filter((_, i) => i % 2 === 0))], [n], float32);
    const strided = run('exp', [input(xs, float32, [n], [2])], [n], float32);
    expect(strided).toEqual(contiguous);
  });
});

describe('kernels split over threads', () => {
  test('elementwise ops on large transposed and broadcast views', () => {
    const rows = 700,
      cols = 500;
    const a = Float32Array.from({ length: rows * cols }, (_, i) => (i % 97) - 48);
    const b = Float32Array.from({ length: cols }, (_, i) => i / 8);
    // a read transposed: out[j, i] = a[i, j] + b[i]... shape [cols, rows] with strides [1, cols].
    const out = run('add', [input(a, float32, [cols, rows], [1, cols]), input(b, float32, [cols, rows], [1, 0])], [cols, rows], float32);
    for (const [j, i] of [
      [0, 0],
      [cols - 1, rows - 1],
      [123, 456],
      [499, 1],
      [250, 699],
    ] as const) {
      expect(out[j * rows + i]).toBe(a[i * cols + j]! + b[j]!);
    }
  });

  test('reductions: all axes, a kept leading axis, a kept trailing axis', () => {
    const n = 1_000_003;
    const r = rand(7);
    const xs = Float32Array.from({ length: n }, () => Math.fround(r() - 0.25));
    let total = 0;
    for (const v of xs) total += v;
    const [sum] = run('sum', [input(xs, float32, [n])], [1], float32, { axes: [0] });
    expect(Math.abs(sum! - total)).toBeLessThanOrEqual(Math.abs(total) * 1e-6);
    // Max with its only NaN far from any chunk start, and argmax's first occurrence.
    const ys = Float32Array.from(xs);
    ys[777_777] = 5;
    ys[888_888] = 5;
    expect(run('max', [input(ys, float32, [n])], [1], float32, { axes: [0] })).toEqual([5]);
    expect(run('argmax', [input(ys, float32, [n])], [1], uint32, { axis: 0 })).toEqual([777_777]);
    ys[999_999] = NaN;
    expect(run('max', [input(ys, float32, [n])], [1], float32, { axes: [0] })).toEqual([NaN]);
    // [1000, 300] over axis 0 (the kept axis is trailing) and over axis 1 (kept axis leading).
    const R = 1000,
      C = 300;
    const m = Float32Array.from({ length: R * C }, (_, i) => ((i * 7919) % 1009) / 64);
    const col = run('sum', [input(m, float32, [R, C])], [1, C], float32, { axes: [0] });
    const row = run('sum', [input(m, float32, [R, C])], [R, 1], float32, { axes: [1] });
    for (const j of [0, 1, 150, 299]) {
      let s = 0;
      for (let i = 0; i < R; i++) s += m[i * C + j]!;
      expect(col[j]).toBe(Math.fround(s));
    }
    for (const i of [0, 1, 500, 999]) {
      let s = 0;
      for (let j = 0; j < C; j++) s += m[i * C + j]!;
      expect(row[i]).toBe(Math.fround(s));
    }
    // Axes 0 and 2 of [64, 50, 64]: the kept middle axis is split.
    const t = Float32Array.from({ length: 64 * 50 * 64 }, (_, i) => (i % 13) - 6);
    const mid = run('sum', [input(t, float32, [64, 50, 64])], [1, 50, 1], float32, { axes: [0, 2] });
    for (const k of [0, 25, 49]) {
      let s = 0;
      for (let i = 0; i < 64; i++) for (let j = 0; j < 64; j++) s += t[(i * 50 + k) * 64 + j]!;
      expect(mid[k]).toBe(s);
    }
  });

  test('scans and sorts over many rows', () => {
    const rows = 3000,
      cols = 67;
    const r = rand(3);
    const xs = Float32Array.from({ length: rows * cols }, () => Math.round(r() * 1000) - 500);
    const cs = run('cumsum', [input(xs, float32, [rows, cols])], [rows, cols], float32, { axis: 1, reverse: false, inclusive: true });
    const sorted = run('sort', [input(xs, float32, [rows, cols])], [rows, cols], float32, { axis: 1 });
    const order = run('argsort', [input(xs, float32, [rows, cols])], [rows, cols], uint32, { axis: 1 });
    for (const i of [0, 1, 1499, 2999]) {
      const row = Array.from(xs.subarray(i * cols, (i + 1) * cols));
      let s = 0;
      expect(cs.slice(i * cols, (i + 1) * cols)).toEqual(row.map((v) => (s += v)));
      const want = [...row].sort((p, q) => p - q);
      expect(sorted.slice(i * cols, (i + 1) * cols)).toEqual(want);
      const idx = order.slice(i * cols, (i + 1) * cols);
      expect(idx.map((k) => row[k]!)).toEqual(want);
      // Stable: equal keys keep their order.
      for (let k = 1; k < cols; k++) if (row[idx[k]!] === row[idx[k - 1]!]) expect(idx[k]!).toBeGreaterThan(idx[k - 1]!);
    }
  });

  function matmulReference(m: number, k: number, n: number, a: Float32Array, b: Float32Array, i: number, j: number): number {
    let s = 0;
    for (let p = 0; p < k; p++) s += a[i * k + p]! * b[p * n + j]!;
    return s;
  }

  test('matmul: BLAS-eligible and built-in layouts agree on a product split over threads', () => {
    const m = 300,
      k = 500,
      n = 400;
    const r = rand(11);
    const a = Float32Array.from({ length: m * k }, () => r() - 0.5);
    const b = Float32Array.from({ length: k * n }, () => r() - 0.5);
    const at = new Float32Array(m * k);
    for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) at[p * m + i] = a[i * k + p]!;
    // b with every other column of a [k, 2n] buffer: stride 2, which no BLAS takes.
    const b2 = new Float32Array(k * 2 * n);
    for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) b2[p * 2 * n + 2 * j] = b[p * n + j]!;
    const plain = run('matmul', [input(a, float32, [m, k]), input(b, float32, [k, n])], [m, n], float32);
    const transposed = run('matmul', [input(at, float32, [m, k], [1, m]), input(b, float32, [k, n])], [m, n], float32);
    const builtin = run('matmul', [input(a, float32, [m, k]), input(b2, float32, [k, n], [2 * n, 2])], [m, n], float32);
    for (const [i, j] of [
      [0, 0],
      [299, 399],
      [150, 200],
      [7, 391],
      [293, 5],
    ] as const) {
      const want = matmulReference(m, k, n, a, b, i, j);
      for (const got of [plain, transposed, builtin]) expect(Math.abs(got[i * n + j]! - want)).toBeLessThan(1e-4);
    }
    for (let i = 0; i < m * n; i += 997) {
      expect(Math.abs(plain[i]! - builtin[i]!)).toBeLessThan(1e-4);
      expect(Math.abs(plain[i]! - transposed[i]!)).toBeLessThan(1e-4);
    }
  });

  // Every tile edge of both float32 micro-kernels (gemm_avx512.h's 12 x 32 where the CPU has
  // AVX-512, the vector 6 x 16 one otherwise or with MLX_TS_GEMM_AVX512=0), without BLAS, in a
  // child process per kernel since the choice is made once per process.
  test.each(['1', '0'])('matmul: the built-in kernel (MLX_TS_GEMM_AVX512=%s) at every tile edge', (avx512) => {
    const script = `
      import { cpuBackend } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
      import { float32 } from '@mlx-ts/core';
      const shapes = [[1, 1, 1], [5, 3, 7], [13, 200, 33], [12, 32, 32], [25, 197, 47], [145, 450, 161], [6, 7, 16], [11, 1, 31]];
      let worst = 0;
      let s = 7;
      const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5;
      for (const [m, k, n] of shapes) {
        const a = Float32Array.from({ length: m * k }, r), b = Float32Array.from({ length: k * n }, r);
        const view = (data, shape) => ({ source: { kind: 'storage', handle: cpuBackend.fromHost(data, float32) }, dtype: float32, shape, strides: [shape[1], 1], offset: 0 });
        const [h] = cpuBackend.execute([{ prim: 'matmul', params: {}, inputs: [view(a, [m, k]), view(b, [k, n])], shape: [m, n], dtype: float32 }]);
        const c = cpuBackend.toHost({ source: { kind: 'storage', handle: h }, dtype: float32, shape: [m, n], strides: [n, 1], offset: 0 });
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) {
            let ref = 0, mag = 0;
            for (let p = 0; p < k; p++) ref += a[i * k + p] * b[p * n + j], mag += Math.abs(a[i * k + p] * b[p * n + j]);
            worst = Math.max(worst, Math.abs(c[i * n + j] - ref) / (mag * 2 ** -22 + 1e-30));
          }
      }
      console.log(JSON.stringify({ worst, kernel: (await import(${JSON.stringify(new URL('../dist/addon.js', import.meta.url).href)})).addon.blasInfo().gemmKernel }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, MLX_TS_BLAS: '0', MLX_TS_GEMM_AVX512: avx512 },
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { worst: number; kernel: string };
    if (avx512 === '0') expect(out.kernel).toBe('vector-6x16');
    else expect(['vector-6x16', 'avx512-12x32']).toContain(out.kernel);
    // Within a few float32 roundings of the sum of |terms| (a dropped or doubled term is >> that).
    expect(out.worst).toBeLessThan(1);
  });

  // bfloat16 through the AVX-512 BF16 dot products where the CPU has them, else float32 packing:
  // multiples of 1/16 below 8 multiply and sum exactly in float32, so both give the float64 sum
  // rounded once to bfloat16. Odd K (a zero-padded last k-pair), a transposed a, tile edges.
  test('bfloat16 matmul: exact sums, rounded once, at every tile edge', () => {
    const r = rand(21);
    for (const [m, k, n] of [
      [1, 1, 1],
      [13, 7, 33],
      [25, 401, 47],
      [12, 64, 32],
      [64, 460, 1100],
    ] as const) {
      const a = Array.from({ length: m * k }, () => Math.round((r() - 0.5) * 128) / 16);
      const b = Array.from({ length: k * n }, () => Math.round((r() - 0.5) * 128) / 16);
      const enc = (xs: number[]) => new Uint16Array(xs.map(float32ToBfloat16Bits));
      const at = new Array<number>(m * k);
      for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) at[p * m + i] = a[i * k + p]!;
      const bIn = input(enc(b), bfloat16, [k, n]);
      const plain = run('matmul', [input(enc(a), bfloat16, [m, k]), bIn], [m, n], bfloat16);
      const transposed = run('matmul', [input(enc(at), bfloat16, [m, k], [1, m]), bIn], [m, n], bfloat16);
      const wrong: string[] = [];
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let sum = 0;
          for (let p = 0; p < k; p++) sum += a[i * k + p]! * b[p * n + j]!;
          const want = bfloat16BitsToNumber(float32ToBfloat16Bits(sum));
          const got = [plain[i * n + j]!, transposed[i * n + j]!].map(bfloat16BitsToNumber);
          if (got[0] !== want || got[1] !== want) wrong.push(`[${m},${k},${n}] (${i},${j}): ${got.join(', ')} vs ${want}`);
        }
      }
      expect(wrong.slice(0, 5)).toEqual([]);
    }
  });

  // A lane of 2^17 alone splits its passes over the threads; among more lanes than threads it
  // runs on one thread: the same bits either way (block sums added in order), and near float64.
  test('softmax and logsumexp: a long lane alone gives the bits it gives among many', () => {
    const n = 1 << 17;
    const r = rand(3);
    const row = Array.from({ length: n }, () => (r() - 0.5) * 20);
    const rows = 3;
    const many = f32(
      Array.from({ length: rows * n }, (_, i) => row[i % n]!),
      [rows, n],
    );
    const alone = run('softmax', [f32(row, [1, n])], [1, n], float32, { axis: 1 });
    const batch = run('softmax', [many], [rows, n], float32, { axis: 1 });
    expect(batch.slice(n, 2 * n)).toEqual(alone);
    const lseAlone = run('logsumexp', [f32(row, [1, n])], [1, 1], float32, { axis: 1 });
    const lseBatch = run('logsumexp', [many], [rows, 1], float32, { axis: 1 });
    expect(lseBatch).toEqual([lseAlone[0], lseAlone[0], lseAlone[0]]);
    const m = row.reduce((a, v) => Math.max(a, Math.fround(v)), -Infinity);
    let sum = 0;
    for (const v of row) sum += Math.exp(Math.fround(v) - m);
    expect(Math.abs(lseAlone[0]! - (Math.log(sum) + m))).toBeLessThan(1e-4);
    // A float32 sum of 2^17 exps: within 2^-18 relative.
    expect(ulps(alone[12345]!, Math.exp(Math.fround(row[12345]!) - m) / sum)).toBeLessThan(64);
  });

  test('matmul: many small products in a batch run one per thread', () => {
    const batch = 96,
      m = 12,
      k = 16,
      n = 20;
    const r = rand(5);
    const a = Float32Array.from({ length: batch * m * k }, () => Math.round(r() * 16) / 16);
    const b = Float32Array.from({ length: batch * k * n }, () => Math.round(r() * 16) / 16);
    const out = run('matmul', [input(a, float32, [batch, m, k]), input(b, float32, [batch, k, n])], [batch, m, n], float32);
    for (const z of [0, 47, 95]) {
      for (const [i, j] of [
        [0, 0],
        [11, 19],
        [5, 7],
      ] as const) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[(z * m + i) * k + p]! * b[(z * k + p) * n + j]!;
        expect(out[(z * m + i) * n + j]).toBe(s);
      }
    }
  });

  test('float64 matmul through the same paths', () => {
    const m = 130,
      k = 170,
      n = 150;
    const r = rand(9);
    const a = Float64Array.from({ length: m * k }, () => r() - 0.5);
    const b = Float64Array.from({ length: k * n }, () => r() - 0.5);
    const out = run('matmul', [input(a, float64, [m, k]), input(b, float64, [k, n])], [m, n], float64);
    for (const [i, j] of [
      [0, 0],
      [129, 149],
      [64, 75],
    ] as const) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p]! * b[p * n + j]!;
      expect(Math.abs(out[i * n + j]! - s)).toBeLessThan(1e-12);
    }
  });
});

describe('concurrency', () => {
  test('executeAsync alongside execute: both use the kernels, neither corrupts the other', async () => {
    const n = 1 << 20;
    const xs = Float32Array.from({ length: n }, (_, i) => (i % 1024) / 256 - 2);
    const h = store(xs, float32);
    const x = view(h, float32, [n]);
    const steps = (prim: string) => [step(prim, [x], [n], float32), step('sum', [stepOutput(0, float32, [n])], [1], float32, { axes: [0] })];
    const want = (f: (v: number) => number) => {
      let s = 0;
      for (const v of xs) s += Math.fround(f(v));
      return s;
    };
    const pending = [cpuBackend.executeAsync!(steps('exp')), cpuBackend.executeAsync!(steps('tanh')), cpuBackend.executeAsync!(steps('negative'))];
    const sync = cpuBackend.execute(steps('square'));
    const results = await Promise.all(pending);
    const close = (got: number, w: number) => expect(Math.abs(got - w)).toBeLessThanOrEqual(Math.abs(w) * 1e-5 + 1e-3);
    close(values(read(results[0]![1], float32, [1]))[0]!, want(Math.exp));
    close(values(read(results[1]![1], float32, [1]))[0]!, want(Math.tanh));
    close(
      values(read(results[2]![1], float32, [1]))[0]!,
      want((v) => -v),
    );
    close(
      values(read(sync[1], float32, [1]))[0]!,
      want((v) => v * v),
    );
  });
});

describe('output buffers', () => {
  const stats = addon.bufferCacheStats;
  test.runIf(stats().enabled)('large outputs come back from the cache, and a reused block starts clean where it must', () => {
    const n = 1 << 20;
    const x = f32(
      Float32Array.from({ length: n }, (_, i) => i + 1),
      [n],
    );
    for (let i = 0; i < 3; i++) {
      const [h] = cpuBackend.execute([step('negative', [x], [n], float32)]);
      cpuBackend.release(h);
    }
    const before = stats();
    const [h] = cpuBackend.execute([step('negative', [x], [n], float32)]);
    const during = stats();
    expect(during.hits).toBeGreaterThan(before.hits);
    cpuBackend.release(h);
    // Returned at once (garbage collection may return more meanwhile, never less).
    expect(stats().liveBytes).toBeLessThanOrEqual(during.liveBytes - n * 4);
    // The released block (full of -1, -2, ...) is reused: outputs that are partly padding or
    // empty-axis indices must still read as zeros.
    const [padded] = cpuBackend.execute([step('pad', [f32([7], [1])], [n], float32, { low: [n - 1], high: [0], value: 0 })]);
    const p = values(read(padded, float32, [n]));
    expect(p[n - 1]).toBe(7);
    expect(p.slice(0, n - 1).every((v) => v === 0)).toBe(true);
    cpuBackend.release(padded);
    const [arg] = cpuBackend.execute([step('argmax', [f32([], [n / 2, 0])], [n / 2, 1], uint32, { axis: 1 })]);
    expect(values(read(arg, uint32, [n / 2, 1])).every((v) => v === 0)).toBe(true);
  });

  test.runIf(stats().enabled)('asyncEval takes its outputs from the cache too', async () => {
    const n = 1 << 20;
    const x = f32(
      Float32Array.from({ length: n }, (_, i) => i + 1),
      [n],
    );
    const [h0] = cpuBackend.execute([step('negative', [x], [n], float32)]);
    cpuBackend.release(h0);
    const before = stats();
    const [h] = await cpuBackend.executeAsync!([step('negative', [x], [n], float32)]);
    expect(stats().hits).toBeGreaterThan(before.hits);
    expect(values(read(h, float32, [n])).slice(0, 3)).toEqual([-1, -2, -3]);
    cpuBackend.release(h);
  });
});

describe('BLAS', () => {
  const info = addon.blasInfo();
  test('reports what it loaded; OpenBLAS runs the kernel chosen for this CPU', () => {
    expect(typeof info.loaded).toBe('boolean');
    if (!info.loaded) {
      expect(info.error.length).toBeGreaterThan(0);
      return;
    }
    if (info.vendor === 'OpenBLAS' && info.coretypeSource === 'mlx-ts' && info.config.includes('DYNAMIC_ARCH')) {
      // The kernel the loader chose from CPUID (OPENBLAS_CORETYPE during the reload) is the one
      // OpenBLAS runs, not an older fallback, and OpenBLAS's own pick was different.
      expect(info.corename.toLowerCase()).toBe(info.coretype.toLowerCase());
      expect(info.detected.toLowerCase()).not.toBe(info.coretype.toLowerCase());
    }
    if (info.vendor === 'OpenBLAS' && info.coretypeSource === '') {
      // Nothing set: OpenBLAS runs the kernel it picked itself.
      expect(info.corename).toBe(info.detected);
    }
  });

  test('the built-in GEMM names its float32 kernel', () => {
    expect(['vector-6x16', 'avx512-12x32']).toContain(info.gemmKernel);
  });

  test('threads: at least one', () => {
    expect(addon.threadInfo().threads).toBeGreaterThanOrEqual(1);
  });
});
