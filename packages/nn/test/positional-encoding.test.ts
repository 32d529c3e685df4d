/** layers/positional-encoding.ts: RoPE, SinusoidalPositionalEncoding and ALiBi against their formulas in float64. */
import { describe, expect, it } from 'vitest';
import * as mx from 'mlx-ts';
import { nn } from 'mlx-ts';
import { assertAllClose } from '@mlx-ts/testing';

const tol = { rtol: 1e-10, atol: 1e-10 };

/** RoPE of x [B, T, D] (nested lists) by the RoFormer formula, in float64. */
function ropeExpected(x: number[][][], dims: number, traditional: boolean, base: number, scale: number, offset: number): number[][][] {
  const half = dims / 2;
  return x.map((rows) =>
    rows.map((row, t) => {
      const out = row.slice();
      for (let i = 0; i < half; i++) {
        const theta = (offset + t) * scale * base ** (-(2 * i) / dims);
        const [a, b] = traditional ? [2 * i, 2 * i + 1] : [i, i + half];
        out[a] = row[a]! * Math.cos(theta) - row[b]! * Math.sin(theta);
        out[b] = row[a]! * Math.sin(theta) + row[b]! * Math.cos(theta);
      }
      return out;
    }),
  );
}

const xs = [0, 1].map((b) => [0, 1, 2].map((t) => Array.from({ length: 6 }, (_, k) => Math.sin(1 + b * 7 + t * 3 + k))));

describe('RoPE', () => {
  it.each([
    [4, false, 10000, 1, 0],
    [6, false, 10000, 1, 5],
    [4, true, 500, 0.5, 2],
    [6, true, 10000, 2, 0],
  ])('dims %i traditional %s base %d scale %d offset %i', (dims, traditional, base, scale, offset) => {
    const rope = new nn.RoPE(dims, { traditional, base, scale });
    const got = rope.forward(mx.array(xs, mx.float64), offset);
    assertAllClose(got, mx.array(ropeExpected(xs, dims, traditional, base, scale, offset), mx.float64), tol);
  });

  it('has MLX defaults and no parameters', () => {
    const rope = new nn.RoPE(4);
    expect([rope.traditional, rope.base, rope.scale]).toEqual([false, 10000, 1]);
    expect(Object.keys(rope.parameters())).toEqual([]);
    assertAllClose(rope.forward(mx.array(xs, mx.float64)), mx.array(ropeExpected(xs, 4, false, 10000, 1, 0), mx.float64), tol);
  });

  it('refuses bad options, naming the layer', () => {
    expect(() => new nn.RoPE(0)).toThrow(/^RoPE: dims/);
    expect(() => new nn.RoPE(4, { traditional: 1 as never })).toThrow(/^RoPE: traditional/);
    expect(() => new nn.RoPE(3).forward(mx.ones([1, 2, 4]))).toThrow(/^rope: expected dims/);
  });
});

describe('SinusoidalPositionalEncoding', () => {
  it('matches the formula: [sin, cos] of x times geometric frequencies, scaled', () => {
    const dims = 6;
    const pe = new nn.SinusoidalPositionalEncoding(dims);
    const x = [0, 1.5, 7];
    const sig = [0, 1, 2].map((i) => Math.exp((1 - i / 2) * (Math.log(1) - Math.log(1e-4)) + Math.log(1e-4)));
    const s = Math.sqrt(2 / dims);
    const want = x.map((v) => [...sig.map((f) => Math.sin(v * f) * s), ...sig.map((f) => Math.cos(v * f) * s)]);
    assertAllClose(pe.forward(mx.array(x)), mx.array(want), { rtol: 1e-5, atol: 1e-6 });
    const cosFirst = new nn.SinusoidalPositionalEncoding(2, { cosFirst: true, scale: 1, fullTurns: true });
    assertAllClose(cosFirst.forward(mx.array([0.25])), mx.array([[Math.cos(Math.PI / 2), Math.sin(Math.PI / 2)]]), { rtol: 1e-5, atol: 1e-6 });
    expect(Object.keys(pe.parameters())).toEqual([]);
    expect(() => new nn.SinusoidalPositionalEncoding(5)).toThrow(/^SinusoidalPositionalEncoding: dims must be positive and even/);
  });
});

describe('ALiBi', () => {
  it('adds -slope_h * |i - j| with MLX slopes', () => {
    expect(nn.ALiBi.createAlibiSlope(4).reshape([-1]).tolist()).toEqual([0.25, 0.0625, 0.015625, 0.00390625]);
    // 3 heads: the slopes of 2 heads, then every other slope of 4.
    assertAllClose(nn.ALiBi.createAlibiSlope(3).reshape([-1]), mx.array([2 ** -4, 2 ** -8, 2 ** -2]), tol);
    const scores = mx.zeros([1, 2, 2, 3]);
    const got = new nn.ALiBi().forward(scores, 1);
    const slopes = [2 ** -4, 2 ** -8];
    const want = [slopes.map((m) => [1, 2].map((i) => [0, 1, 2].map((j) => -m * Math.abs(i - j))))];
    assertAllClose(got, mx.array(want), { rtol: 1e-6, atol: 1e-7 });
  });
});
