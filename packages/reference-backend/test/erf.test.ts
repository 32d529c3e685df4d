import { float32, float64 } from '@mlx-ts/core';
import { describe, expect, it } from 'vitest';
import { erfc } from '../src/erf.js';
import { run, stored } from './helpers.js';

// Reference values from mpmath at 30 digits.
const ERF: [number, number][] = [
  [0.1, 0.1124629160182849],
  [0.5, 0.5204998778130465],
  [1, 0.8427007929497149],
  [2.5, 0.999593047982555],
  [-3, -0.9999779095030014],
  [5, 0.9999999999984626],
];
const ERFINV: [number, number][] = [
  [0.001, 0.0008862271574665521],
  [0.5, 0.4769362762044699],
  [-0.9, -1.1630871536766743],
  [0.999999, 3.458910737275499],
  [0.9999999999999998, 5.805018683193453],
];

const apply = (prim: string, xs: readonly number[]) => run(prim, {}, [stored(xs, float64)], [xs.length], float64);
const relErr = (got: number, want: number) => Math.abs(got - want) / Math.abs(want);

describe('erf and erfinv', () => {
  it('match reference values to 1e-14', () => {
    apply(
      'erf',
      ERF.map(([x]) => x),
    ).forEach((v, i) => expect(relErr(v, ERF[i]![1])).toBeLessThan(1e-14));
    apply(
      'erfinv',
      ERFINV.map(([y]) => y),
    ).forEach((v, i) => expect(relErr(v, ERFINV[i]![1])).toBeLessThan(1e-14));
  });

  it('keep relative precision in the tail', () => {
    expect(relErr(erfc(5), 1.5374597944280349e-12)).toBeLessThan(1e-13);
    expect(relErr(erfc(10), 2.088487583762545e-45)).toBeLessThan(1e-13);
  });

  it('invert each other', () => {
    const xs = Array.from({ length: 41 }, (_, i) => -4 + i * 0.2);
    const back = apply('erfinv', apply('erf', xs));
    back.forEach((x, i) => expect(Math.abs(x - xs[i]!)).toBeLessThan(1e-9 * Math.max(1, Math.exp(xs[i]! ** 2))));
  });

  it('handle the edges', () => {
    expect(apply('erf', [0, -0, Infinity, -Infinity, NaN])).toEqual([0, -0, 1, -1, NaN]);
    expect(apply('erfinv', [0, 1, -1, 1.5, NaN])).toEqual([0, Infinity, -Infinity, NaN, NaN]);
    expect(run('erf', {}, [stored([0.5], float32)], [1], float32)).toEqual([Math.fround(0.5204998778130465)]);
  });
});
