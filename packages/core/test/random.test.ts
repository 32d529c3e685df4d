/** Random numbers (packages/core/src/random.ts). */
import { describe, expect, test } from 'vitest';
import * as mx from '@mlx-ts/core';
import { vals, iota } from './helpers.js';

describe('random', () => {
  test('threefry2x32 known-answer vectors (Random123 / JAX)', () => {
    const hex = (p: [number, number]) => p.map((x) => '0x' + x.toString(16).padStart(8, '0'));
    expect(hex(mx.random.threefry2x32Host(0, 0, 0, 0))).toEqual(['0x6b200159', '0x99ba4efe']);
    expect(hex(mx.random.threefry2x32Host(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff))).toEqual(['0x1cb996fc', '0xbb002be7']);
    expect(hex(mx.random.threefry2x32Host(0x13198a2e, 0x03707344, 0x243f6a88, 0x85a308d3))).toEqual(['0xc4923a9c', '0x483df7a0']);
  });
  test('key and split match MLX/JAX', () => {
    expect(mx.random.key(0).tolist()).toEqual([0, 0]);
    expect(mx.random.key(2 ** 32 + 5).tolist()).toEqual([1, 5]);
    expect(mx.random.key(-1).tolist()).toEqual([4294967295, 4294967295]);
    const k = mx.random.key(0);
    // jax.random.split(jax.random.PRNGKey(0))
    expect(mx.random.split(k).tolist()).toEqual([
      [4146024105, 967050713],
      [2718843009, 1272950319],
    ]);
    expect(mx.random.split(k, 3).shape).toEqual([3, 2]);
    expect(mx.random.split(k, { num: 4 }).shape).toEqual([4, 2]);
    expect(() => mx.random.split(mx.array([0, 0]))).toThrow(/split: expected a key of dtype uint32, got float32/);
  });
  test('randomBits follows the documented counter layout (even and odd sizes; odd pads the counter with 0, as JAX and MLX)', () => {
    const k = mx.random.key(42);
    for (const n of [1, 2, 3, 4, 7, 10]) {
      const got = vals(mx.random.bits([n], { key: k }));
      expect(got, `n=${n}`).toEqual(Array.from(mx.random.randomBitsHost(0, 42, n)));
    }
  });
  test('bits of width 2 and 1 are the little-endian bytes of the uint32 words', () => {
    const k = mx.random.key(7);
    const w = Array.from(mx.random.randomBitsHost(0, 7, 2));
    const b2 = mx.random.bits([3], 2, k);
    expect(b2.dtype).toBe(mx.uint16);
    expect(b2.tolist()).toEqual([w[0]! & 0xffff, w[0]! >>> 16, w[1]! & 0xffff]);
    const b1 = mx.random.bits([2, 3], { width: 1, key: k });
    expect(b1.dtype).toBe(mx.uint8);
    expect(b1.tolist()).toEqual([
      [w[0]! & 255, (w[0]! >>> 8) & 255, (w[0]! >>> 16) & 255],
      [w[0]! >>> 24, w[1]! & 255, (w[1]! >>> 8) & 255],
    ]);
    expect(() => mx.random.bits([2], 3, k)).toThrow(/bits: bit width must be 1, 2 or 4/);
  });
  test('uniform: MLX algorithm, ranges, dtypes, shapes', () => {
    const k = mx.random.key(0);
    const u = mx.random.uniform({ shape: [1000], key: k });
    expect(u.dtype).toBe(mx.float32);
    const got = vals(u);
    expect(got.every((x) => x >= 0 && x < 1)).toBe(true);
    const words = mx.random.randomBitsHost(0, 0, 1000);
    const expected = Array.from(words, (w) => Math.min(Math.fround(Math.fround(w) / Math.fround(4294967295)), Math.fround(1 - 2 ** -24)));
    expect(got).toEqual(expected.map((x) => Math.fround(x)));
    expect(mx.random.uniform(0, 1, [1000], mx.float32, k).tolist()).toEqual(u.tolist());
    const r = vals(mx.random.uniform(-2, 3, [500], { key: k }));
    expect(r.every((x) => x >= -2 && x < 3)).toBe(true);
    const lohi = mx.random.uniform(mx.array([0, 10]), mx.array([1, 20]), [3, 2], { key: k });
    expect(lohi.shape).toEqual([3, 2]);
    expect(mx.random.uniform({ dtype: mx.float16, shape: [4], key: k }).dtype).toBe(mx.float16);
    expect(mx.random.uniform({ key: k }).shape).toEqual([]);
    expect(() => mx.random.uniform({ dtype: mx.int32 })).toThrow(/uniform: can only generate floating point values/);
    expect(() => mx.random.uniform(mx.array([0, 1, 2]), 1, [2])).toThrow(/uniform: cannot generate random values of shape \[2\]/);
  });
  test('the global key sequence: seed makes draws reproducible, successive draws differ', () => {
    mx.random.seed(3);
    const a = mx.random.uniform({ shape: [4] }).tolist();
    const b = mx.random.uniform({ shape: [4] }).tolist();
    expect(a).not.toEqual(b);
    mx.random.seed(3);
    expect(mx.random.uniform({ shape: [4] }).tolist()).toEqual(a);
    expect(mx.random.uniform({ shape: [4] }).tolist()).toEqual(b);
    // MLX: the first draw after seed(s) uses split(key(s))[1].
    mx.random.seed(3);
    const k1 = mx.index(mx.random.split(mx.random.key(3)), 1);
    expect(mx.random.uniform({ shape: [4] }).tolist()).toEqual(mx.random.uniform({ shape: [4], key: k1 }).tolist());
  });
  test('random.state holds the global key', () => {
    mx.random.seed(4);
    expect(mx.random.state[0]!.tolist()).toEqual([0, 4]);
    const k1 = mx.index(mx.random.split(mx.random.key(4)), 1);
    const before = mx.random.uniform().item();
    expect(before).toEqual(mx.random.uniform({ key: k1 }).item());
    expect(mx.random.state[0]!.tolist()).toEqual(mx.index(mx.random.split(mx.random.key(4)), 0).tolist());
  });
  test('normal: sqrt(2) * erfinv(uniform(-1, 1)), plausible moments, loc/scale', () => {
    const k = mx.random.key(1);
    const x = vals(mx.random.normal([20000], { key: k }));
    const mean = x.reduce((p, v) => p + v, 0) / x.length;
    const variance = x.reduce((p, v) => p + (v - mean) ** 2, 0) / x.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    const y = vals(mx.random.normal({ shape: [20000], loc: 5, scale: 2, key: k }));
    y.forEach((v, i) => expect(v).toBeCloseTo(5 + 2 * x[i]!, 4));
    expect(mx.random.normal([2], mx.bfloat16, { key: k }).dtype).toBe(mx.bfloat16);
  });
  test('randint, bernoulli, truncatedNormal, gumbel, laplace', () => {
    const k = mx.random.key(5);
    const r = mx.random.randint(-3, 4, [2000], { key: k });
    expect(r.dtype).toBe(mx.int32);
    const rv = vals(r);
    expect(rv.every((v) => Number.isInteger(v) && v >= -3 && v < 4)).toBe(true);
    expect(new Set(rv).size).toBe(7);
    expect(mx.random.randint(0, 10, [3], mx.uint8, k).dtype).toBe(mx.uint8);
    expect(() => mx.random.randint(0, 1, [1], mx.float32)).toThrow(/randint: only integer dtypes/);

    const b = mx.random.bernoulli(0.3, [5000], k);
    expect(b.dtype).toBe(mx.bool);
    const frac = vals(b).reduce((p, v) => p + Number(v), 0) / 5000;
    expect(Math.abs(frac - 0.3)).toBeLessThan(0.03);
    expect(mx.random.bernoulli(mx.array([0, 1, 0.5]), { key: k }).shape).toEqual([3]);
    expect(mx.random.bernoulli(mx.array([0, 1]), { key: k }).tolist()).toEqual([false, true]);
    expect(mx.random.bernoulli({ key: k }).shape).toEqual([]);
    expect(() => mx.random.bernoulli(mx.array([1], mx.int32))).toThrow(/bernoulli: the probability p must be a floating point array/);

    const t = vals(mx.random.truncatedNormal(-0.5, 1, [2000], { key: k }));
    expect(t.every((v) => v >= -0.5 && v <= 1)).toBe(true);
    expect(mx.random.truncatedNormal(mx.array([-1, -2]), 1, { key: k }).shape).toEqual([2]);

    const g = mx.random.gumbel([3, 2], { key: k });
    expect(g.shape).toEqual([3, 2]);
    expect(vals(g).every(Number.isFinite)).toBe(true);
    const l = mx.random.laplace([1000], { key: k, loc: 1 });
    expect(vals(l).every(Number.isFinite)).toBe(true);
  });
  test('categorical', () => {
    const k = mx.random.key(9);
    const logits = mx.array([
      [0, 0, 100],
      [100, 0, 0],
    ]);
    const c = mx.random.categorical(logits, { key: k });
    expect(c.dtype).toBe(mx.uint32);
    expect(c.tolist()).toEqual([2, 0]);
    const c0 = mx.random.categorical(logits, 0, { key: k }).tolist() as number[];
    expect([c0[0], c0[2]]).toEqual([1, 0]); // column 1 is a fair coin
    expect(mx.random.categorical(logits, { numSamples: 5, key: k }).tolist()).toEqual([
      [2, 2, 2, 2, 2],
      [0, 0, 0, 0, 0],
    ]);
    expect(mx.random.categorical(logits, { shape: [4, 2], key: k }).shape).toEqual([4, 2]);
    expect(() => mx.random.categorical(logits, { shape: [2], numSamples: 2 })).toThrow(/categorical: at most one of shape or numSamples/);
    // frequencies follow softmax(logits)
    const lp = mx.array([Math.log(0.2), Math.log(0.8)]);
    const s = vals(mx.random.categorical(lp, { numSamples: 4000, key: k }));
    expect(Math.abs(s.reduce((p, v) => p + v, 0) / 4000 - 0.8)).toBeLessThan(0.03);
  });
  test('permutation', () => {
    const k = mx.random.key(11);
    const p = mx.random.permutation(10, { key: k }).tolist() as number[];
    expect([...p].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const a = iota([4, 2]);
    const q = mx.random.permutation(a, { key: k }).tolist() as number[][];
    expect(q.map((r) => r[0]).sort()).toEqual([0, 2, 4, 6]);
    expect(mx.random.permutation(a, 1, k).shape).toEqual([4, 2]);
    // MLX's order is (x, axis, key): the key positionally is the third argument, and honoured.
    expect(mx.random.permutation(10, 0, k).tolist()).toEqual(p);
    expect(mx.random.permutation(10, -1, k).tolist()).toEqual(p);
    expect(() => mx.random.permutation(10, k as never)).toThrow(
      /permutation: expected axis to be an integer, got an array of shape \[2\] and dtype uint32 \(key comes after axis; or pass \{ key \}\)/,
    );
    expect(() => mx.random.permutation(a, k as never)).toThrow(/permutation: expected axis to be an integer/);
    expect(() => mx.random.permutation(10, 1, k)).toThrow(/permutation: axis 1 is out of bounds for an array of dimension 1/);
  });
  test('every sampler is deterministic for a key', () => {
    const k = mx.random.key(123);
    for (const f of [
      () => mx.random.uniform({ shape: [5], key: k }),
      () => mx.random.normal({ shape: [5], key: k }),
      () => mx.random.randint(0, 100, [5], { key: k }),
      () => mx.random.gumbel({ shape: [5], key: k }),
      () => mx.random.permutation(5, { key: k }),
    ])
      expect(f().tolist()).toEqual(f().tolist());
  });
});
