/** mx.fast's ops (packages/core/src/ops/fast): MLX's argument rules, dtypes and options. */
import { describe, expect, test } from 'vitest';
import * as mx from '@mlx-ts/core';
import { close } from './helpers.js';

const { rmsNorm, layerNorm, rope } = mx.fast;
const x = mx.array([
  [1, 2, 3, 4],
  [-1, 0.5, 2, 0],
]);
const ropeOpts = { traditional: false, base: 10000, scale: 1, offset: 0 };

describe('rmsNorm and layerNorm', () => {
  test('normalize the last axis; a missing weight is 1 and a missing bias 0', () => {
    const r = 1 / Math.sqrt((1 + 4 + 9 + 16) / 4 + 1e-5);
    close(rmsNorm(x, null, 1e-5).index(0), [r, 2 * r, 3 * r, 4 * r]);
    close(rmsNorm(x, [1, 0, 2, 1], 1e-5).index(0), [r, 0, 6 * r, 4 * r]);
    const s = 1 / Math.sqrt(1.25 + 1e-5);
    close(layerNorm(x, null, null, 1e-5).index(0), [-1.5 * s, -0.5 * s, 0.5 * s, 1.5 * s]);
    close(layerNorm(x, null, [1, 1, 1, 1], 1e-5).index(0), [1 - 1.5 * s, 1 - 0.5 * s, 1 + 0.5 * s, 1 + 1.5 * s]);
  });

  test("the output dtype is x's promoted with the weight's (MLX: the bias joins only with a weight)", () => {
    const h = mx.astype(x, mx.float16);
    expect(rmsNorm(h, null, 1e-5).dtype).toBe(mx.float16);
    expect(rmsNorm(h, mx.ones([4]), 1e-5).dtype).toBe(mx.float32);
    expect(layerNorm(h, null, mx.zeros([4]), 1e-5).dtype).toBe(mx.float16);
    expect(layerNorm(mx.astype(x, mx.int32), mx.ones([4]), null, 1e-5).dtype).toBe(mx.float32);
  });

  test('refuse what MLX refuses, naming the op', () => {
    expect(() => rmsNorm(mx.array(1), null, 1e-5)).toThrow(/^rmsNorm: expected x to have at least 1 dimension/);
    expect(() => rmsNorm(x, mx.ones([3]), 1e-5)).toThrow(/^rmsNorm: expected weight to have shape \[4\].*got \[3\]/);
    expect(() => rmsNorm(x, mx.ones([1, 4]), 1e-5)).toThrow(/^rmsNorm: expected weight/);
    expect(() => layerNorm(x, null, mx.ones([5]), 1e-5)).toThrow(/^layerNorm: expected bias to have shape \[4\]/);
    expect(() => rmsNorm(mx.astype(x, mx.int32), null, 1e-5)).toThrow(/^rmsNorm: expected floating inputs, got int32/);
    expect(() => layerNorm(x, null, null, '1' as never)).toThrow(/^layerNorm: expected eps to be a number/);
  });
});

describe('rope', () => {
  const a = mx.reshape(mx.arange(16, mx.float32), [1, 2, 8]);

  test('rotates pairs by (offset + t) * scale * base^(-2i / dims); the rest passes through', () => {
    const y = rope(a, 4, { ...ropeOpts, offset: 1 });
    close(y.index(0).index(0), [-2 * Math.sin(1), Math.cos(0.01) - 3 * Math.sin(0.01), 2 * Math.cos(1), Math.sin(0.01) + 3 * Math.cos(0.01), 4, 5, 6, 7]);
    // freqs instead of base: the angle of pair i is position / freqs[i].
    const f = rope(a, 4, { ...ropeOpts, base: null, freqs: [1, 100], offset: 1 });
    close(f.index(0).index(0), y.index(0).index(0).tolist() as number[]);
    // An array offset, one per batch row.
    const two = mx.concatenate([a, a], 0);
    const per = rope(two, 4, { ...ropeOpts, offset: mx.array([1, 0], mx.int32) });
    close(per.index(0), y.index(0).tolist() as number[][]);
    close(per.index(1), rope(a, 4, ropeOpts).index(0).tolist() as number[][]);
  });

  test('refuses what MLX refuses, naming the op and the option', () => {
    const bad: [() => unknown, RegExp][] = [
      [() => rope(mx.ones([2, 4]), 4, ropeOpts), /^rope: expected the input to have at least 3 dimensions/],
      [() => rope(mx.ones([1, 2, 4], mx.int32), 4, ropeOpts), /^rope: expected a floating input/],
      [() => rope(a, 3, ropeOpts), /^rope: expected dims to be a positive even integer/],
      [() => rope(a, 10, ropeOpts), /^rope: expected dims .* at most the last dimension \(8\)/],
      [() => rope(a, 0, ropeOpts), /^rope: expected dims/],
      [() => rope(a, 4, undefined as never), /^rope: expected an options object/],
      [() => rope(a, 4, { ...ropeOpts, traditional: undefined as never }), /^rope: the option traditional is required/],
      [() => rope(a, 4, { traditional: false, scale: 1, offset: 0 } as never), /^rope: the option base is required/],
      [() => rope(a, 4, { ...ropeOpts, traditional: 1 as never }), /^rope: expected traditional to be a boolean/],
      [() => rope(a, 4, { ...ropeOpts, scale: '1' as never }), /^rope: expected scale to be a number/],
      [() => rope(a, 4, { ...ropeOpts, base: '1' as never }), /^rope: expected base to be a number/],
      [() => rope(a, 4, { ...ropeOpts, offset: 1.5 }), /^rope: expected offset to be an integer or an integer array/],
      [() => rope(a, 4, { ...ropeOpts, offset: mx.array([1.5]) }), /^rope: expected an integer offset, got dtype float32/],
      [() => rope(a, 4, { ...ropeOpts, offset: mx.array([1, 2], mx.int32) }), /^rope: expected offset to be a scalar or to have 1 entries/],
      [() => rope(a, 4, { ...ropeOpts, freqs: [1, 2] }), /^rope: only one of base and freqs may be given/],
      [() => rope(a, 4, { ...ropeOpts, base: null }), /^rope: one of base and freqs must be given/],
      [() => rope(a, 4, { ...ropeOpts, base: null, freqs: [1, 2, 3] }), /^rope: expected freqs to have shape \[2\]/],
      [() => rope(a, 4, { ...ropeOpts, bogus: 1 } as never), /^rope: unknown option 'bogus'/],
      [() => rope(a, 4, { ...ropeOpts, stream: 5 as never }), /^rope: expected stream/],
    ];
    for (const [f, msg] of bad) expect(f).toThrow(msg);
  });

  test('the VJP is the inverse rotation, and offsets and freqs have no derivative', () => {
    // Derivatives come from @mlx-ts/transforms; here the rule itself: rope with forward flipped undoes rope.
    const y = rope(a, 8, { ...ropeOpts, offset: 3 });
    const back = mx.node('rope', [y, mx.array(3, mx.int32)], { dims: 8, traditional: false, base: 10000, scale: 1, forward: false });
    close(back, a.tolist() as number[][][]);
    expect(() =>
      mx.vjpRules.rope([a, mx.array(0, mx.int32), mx.ones([4])], a, [2], { dims: 8, traditional: false, base: 1, scale: 1, forward: true }, a),
    ).toThrow(/^rope: the VJP with respect to freqs is not supported/);
  });
});
