// Raw node construction (an internal API) checks the params of the views it builds: a view with
// inconsistent params would read outside its input, and the evaluator's stride walk would loop.
import { describe, expect, test } from 'vitest';
import { float32, node, ones } from '@mlx-ts/core';
import * as mx from 'mlx-ts';

describe('raw nodes with inconsistent params are refused when built', () => {
  test.each([
    ['reshape to another size', () => node('reshape', [ones([4])], { shape: [5] }), /reshape: .*\[4\] has a different size from \[5\]/],
    ['reshape to a negative dim', () => node('reshape', [ones([4])], { shape: [-2, -2] }), /reshape: .*non-negative integers/],
    ['broadcast 3 elements to [2]', () => node('broadcastTo', [ones([3])], { shape: [2] }), /broadcastTo: .*\[3\] does not broadcast to \[2\]/],
    ['transpose with an axis out of range', () => node('transpose', [ones([2, 3])], { perm: [0, 5] }), /transpose: .*not a permutation of 2 axes/],
    ['transpose with a repeated axis', () => node('transpose', [ones([2, 3])], { perm: [1, 1] }), /transpose: .*not a permutation/],
    ['slice past the end', () => node('slice', [ones([4])], { start: [2], step: [1], shape: [5] }), /slice: .*axis 0 reads outside/],
    ['slice with step 0', () => node('slice', [ones([4])], { start: [0], step: [0], shape: [2] }), /slice: /],
    ['arange of negative length', () => node('arange', [], { start: 0, step: 1, n: -5, dtype: float32 }), /arange: .*non-negative/],
  ])('%s', (_name, build, message) => {
    expect(build).toThrow(message);
  });

  test('consistent raw views still evaluate', () => {
    const x = mx.arange(6);
    expect(node('reshape', [x], { shape: [2, 3] }).tolist()).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(node('slice', [x], { start: [5], step: [-2], shape: [3] }).tolist()).toEqual([5, 3, 1]);
    expect(node('broadcastTo', [mx.array([1, 2])], { shape: [2, 2] }).tolist()).toEqual([
      [1, 2],
      [1, 2],
    ]);
  });
});
