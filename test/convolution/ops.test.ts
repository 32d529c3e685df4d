/** The convolution ops' arguments: MLX's defaults and forms (ints, tuples, options), shapes, and the errors raised in TypeScript. */
import { describe, expect, it } from 'vitest';
import { mx } from '../helpers/index.js';

const z = (shape: number[], dt = mx.float32) => mx.zeros(shape, dt);

describe('convolution ops: shapes and argument forms', () => {
  it('conv1d/2d/3d output shapes with int, tuple and options arguments', () => {
    expect(mx.conv1d(z([2, 10, 3]), z([4, 3, 3])).shape).toEqual([2, 8, 4]);
    expect(mx.conv2d(z([1, 9, 8, 4]), z([6, 3, 2, 2]), [2, 1], [1, 0], 1, 2).shape).toEqual([1, 5, 7, 6]);
    expect(mx.conv2d(z([1, 9, 8, 4]), z([6, 3, 3, 4]), { stride: 2, padding: 1, dilation: 2 }).shape).toEqual([1, 4, 3, 6]);
    expect(mx.conv3d(z([1, 5, 6, 7, 2]), z([3, 2, 3, 2, 2]), 1, [1, 0, 1]).shape).toEqual([1, 6, 4, 8, 3]);
    expect(mx.convTranspose2d(z([1, 4, 5, 3]), z([2, 3, 3, 3]), 2, 1, 1, 1).shape).toEqual([1, 8, 10, 2]);
    expect(mx.convGeneral(z([1, 5, 2]), z([3, 3, 2]), 1, [[2], [0]], 1, 2).shape).toEqual([1, 9, 3]);
    expect(mx.conv2d(z([0, 4, 4, 1]), z([2, 3, 3, 1])).shape).toEqual([0, 2, 2, 2]);
  });

  it('float16 stays float16; mixed dtypes promote', () => {
    expect(mx.conv1d(z([1, 4, 2], mx.float16), z([1, 2, 2], mx.float16)).dtype).toBe(mx.float16);
    expect(mx.conv1d(z([1, 4, 2], mx.float16), z([1, 2, 2])).dtype).toBe(mx.float32);
  });
});

describe('convolution ops: errors', () => {
  it('an NCHW input to conv2d says what layout and channel count it expected', () => {
    expect(() => mx.conv2d(z([1, 3, 8, 8]), z([4, 3, 3, 3]))).toThrow(
      /conv2d: expected an input in NHWC layout with C = 3 channels .*got input \[1, ?3, ?8, ?8\] with 8 in its last axis \(the input looks channels-first/,
    );
  });

  it('ranks, dtypes, groups and arguments', () => {
    expect(() => mx.conv2d(z([8, 8, 3]), z([4, 3, 3, 3]))).toThrow(/conv2d: expected a 4-D input in NHWC layout/);
    expect(() => mx.conv2d(z([1, 8, 8, 3]), z([4, 3, 3]))).toThrow(/conv2d: expected a 4-D weight \[C_out, KH, KW, C_in \/ groups\]/);
    expect(() => mx.conv1d(z([1, 8, 3], mx.int32), z([2, 3, 3], mx.int32))).toThrow(/conv1d: only floating-point arrays/);
    expect(() => mx.conv1d(z([1, 8, 4]), z([3, 3, 2]), 1, 0, 1, 2)).toThrow(/conv1d: the output channels \(3\) must be divisible by groups \(2\)/);
    expect(() => mx.conv1d(z([1, 8, 4]), z([2, 3, 4]), 0)).toThrow(/conv1d: expected stride to be an integer >= 1/);
    expect(() => mx.conv2d(z([1, 8, 8, 4]), z([2, 3, 3, 4]), 1, [1, 2, 3])).toThrow(/conv2d: expected padding to be an integer >= 0 or a list of 2/);
    expect(() => mx.conv1d(z([1, 8, 4]), z([2, 3, 4]), 1, 0, 1, 1.5)).toThrow(/conv1d: expected groups to be a positive integer/);
    expect(() => mx.conv1d(z([1, 2, 4]), z([2, 3, 4]))).toThrow(
      /conv1d: spatial axis 0 of the input is 2 after dilation and padding, smaller than the dilated kernel \(3\)/,
    );
    expect(() => mx.conv1d(z([1, 2, 4]), z([2, 0, 4]))).toThrow(/conv1d: expected a kernel of at least one element/);
    expect(() => mx.convTranspose1d(z([1, 4, 2]), z([3, 3, 2]), 2, 0, 1, 2)).toThrow(
      /convTranspose1d: outputPadding \(2\) must be smaller than the stride \(2\) or the dilation \(1\)/,
    );
    expect(() => mx.convGeneral(z([1, 4, 2]), z([3, 3, 2]), 1, 0, 1, 1, 1, 'yes' as never)).toThrow(/convGeneral: expected flip to be a boolean/);
    expect(() => mx.convGeneral(z([1, 2]), z([3, 2]))).toThrow(/convGeneral: expected an input of 3 to 5 dimensions/);
  });
});
