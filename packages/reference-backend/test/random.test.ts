import { uint32 } from '@mlx-ts/core';
import { describe, expect, it } from 'vitest';
import { threefry2x32 } from '../src/kernels/random.js';
import { run, stored } from './helpers.js';

describe('threefry2x32', () => {
  it('matches the Random123 known answers', () => {
    expect(threefry2x32(0x13198a2e, 0x03707344, 0x243f6a88, 0x85a308d3)).toEqual([0xc4923a9c, 0x483df7a0]);
    expect(threefry2x32(0, 0, 0, 0)).toEqual([0x6b200159, 0x99ba4efe]);
    expect(threefry2x32(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff)).toEqual([0x1cb996fc, 0xbb002be7]);
  });
});

describe('randomBits', () => {
  const key = [0x13198a2e, 0x03707344];
  const bits = (shape: number[]) => run('randomBits', { shape }, [stored(key, uint32)], shape, uint32);

  it('lays counters out as JAX does: x0 = the first half of 0..n-1, x1 the second, output y0 then y1', () => {
    const [a0, a1] = threefry2x32(key[0]!, key[1]!, 0, 2);
    const [b0, b1] = threefry2x32(key[0]!, key[1]!, 1, 3);
    expect(bits([2, 2])).toEqual([a0, b0, a1, b1]);
  });

  it("matches JAX's threefry_2x32 over iota counters (non-partitionable layout)", () => {
    // Key (0, 42) is PRNGKey(42); values from a NumPy transcription of jax._src.prng.threefry_2x32.
    const bits42 = (n: number) => run('randomBits', { shape: [n] }, [stored([0, 42], uint32)], [n], uint32);
    expect(bits42(3)).toEqual([2465931498, 430176367, 255383827]);
    expect(bits42(4)).toEqual([2465931498, 3679230171, 255383827, 267815257]);
    expect(bits42(5)).toEqual([3134548294, 3733159049, 843694964, 894150801, 801545058]);
  });

  it('pads an odd count with a 0 counter, as JAX does, and drops the last word', () => {
    const [a0, a1] = threefry2x32(key[0]!, key[1]!, 0, 2);
    const [b0] = threefry2x32(key[0]!, key[1]!, 1, 0);
    expect(bits([3])).toEqual([a0, b0, a1]);
  });
});
