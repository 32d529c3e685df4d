import { uint32 } from '@mlx-ts/core';
import { expect, test } from 'vitest';
import { input, run } from './helpers.js';

/** threefry2x32 with 20 rounds, written out independently of the native one. */
function threefry2x32(k0: number, k1: number, x0: number, x1: number): [number, number] {
  const rot = [
    [13, 15, 26, 6],
    [17, 29, 16, 24],
  ];
  const ks = [k0 >>> 0, k1 >>> 0, (k0 ^ k1 ^ 0x1bd11bda) >>> 0];
  let a = (x0 + ks[0]!) >>> 0;
  let b = (x1 + ks[1]!) >>> 0;
  for (let i = 0; i < 5; i++) {
    for (const r of rot[i % 2]!) {
      a = (a + b) >>> 0;
      b = ((b << r) | (b >>> (32 - r))) >>> 0;
      b = (b ^ a) >>> 0;
    }
    a = (a + ks[(i + 1) % 3]!) >>> 0;
    b = (b + ks[(i + 2) % 3]! + i + 1) >>> 0;
  }
  return [a, b];
}

/** JAX's layout: counters 0..m-1 (m = n rounded up to even) split into halves; outputs concatenated. */
function jaxBits(k0: number, k1: number, n: number): number[] {
  const half = Math.ceil(n / 2);
  const y0: number[] = [];
  const y1: number[] = [];
  for (let i = 0; i < half; i++) {
    const [a, b] = threefry2x32(k0, k1, i, half + i < n ? half + i : 0); // JAX pads an odd count with 0
    y0.push(a);
    y1.push(b);
  }
  return [...y0, ...y1].slice(0, n);
}

test('the reference threefry2x32 passes the Random123 known answer', () => {
  expect(threefry2x32(0x13198a2e, 0x03707344, 0x243f6a88, 0x85a308d3)).toEqual([0xc4923a9c, 0x483df7a0]);
});

test('randomBits follows JAX: split(PRNGKey(0)) bits', () => {
  // jax.random.split(jax.random.PRNGKey(0)) == [[4146024105, 967050713], [2718843009, 1272950319]]
  const key = input(new Uint32Array([0, 0]), uint32, [2]);
  expect(run('randomBits', [key], [2, 2], uint32, { shape: [2, 2] })).toEqual([4146024105, 967050713, 2718843009, 1272950319]);
});

test('randomBits matches the layout for odd, even and empty shapes and strided keys', () => {
  const k0 = 0x13198a2e,
    k1 = 0x03707344;
  for (const n of [1, 2, 7, 1000]) {
    const key = input(new Uint32Array([k0, k1]), uint32, [2]);
    expect(run('randomBits', [key], [n], uint32, { shape: [n] })).toEqual(jaxBits(k0, k1, n));
  }
  // The key as a reversed view of [k1, k0].
  const reversed = input(new Uint32Array([k1, k0]), uint32, [2], [-1], 1);
  expect(run('randomBits', [reversed], [5], uint32, { shape: [5] })).toEqual(jaxBits(k0, k1, 5));
  expect(run('randomBits', [input(new Uint32Array([1, 2]), uint32, [2])], [0], uint32, { shape: [0] })).toEqual([]);
});
