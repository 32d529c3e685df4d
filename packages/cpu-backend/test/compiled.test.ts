import { bool, float16, float32, int32, type CompiledParams } from '@mlx-ts/core';
import { expect, test } from 'vitest';
import { input, run } from './helpers.js';

test('compiled programs give what the unfused kernels give, across tiles and strided inputs', () => {
  const rows = 50,
    cols = 61; // 3050 elements: several tiles and a partial one
  const n = rows * cols;
  const xs = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 3);
  const ys = Float32Array.from({ length: n }, (_, i) => Math.cos(i));
  // x is read transposed from a [cols, rows] buffer; y is contiguous; z broadcasts one row.
  const xt = new Float32Array(n);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) xt[j * rows + i] = xs[i * cols + j]!;
  const x = input(xt, float32, [rows, cols], [1, rows]);
  const y = input(ys, float32, [rows, cols]);
  const z = input(
    Float32Array.from({ length: cols }, (_, j) => j - 30),
    float32,
    [rows, cols],
    [0, 1],
  );
  const program: CompiledParams = {
    nInputs: 3,
    name: 'test',
    instrs: [
      { op: 'exp', dtype: float32, args: [0] }, // r3
      { op: 'constant', dtype: float32, args: [], value: 0.5 }, // r4
      { op: 'multiply', dtype: float32, args: [3, 4] }, // r5
      { op: 'add', dtype: float32, args: [5, 1] }, // r6
      { op: 'greater', dtype: bool, args: [6, 2] }, // r7
      { op: 'astype', dtype: float16, args: [6] }, // r8: rounds through float16
      { op: 'astype', dtype: float32, args: [8] }, // r9
      { op: 'where', dtype: float32, args: [7, 9, 2] }, // r10
    ],
  };
  const got = run('compiled', [x, y, z], [rows, cols], float32, program);
  const e = run('exp', [x], [rows, cols], float32);
  const want = e.map((v, i) => {
    const r6 = Math.fround(Math.fround(v * 0.5) + ys[i]!);
    const zj = (i % cols) - 30;
    const h = run('astype', [input(new Float32Array([r6]), float32, [1])], [1], float16, { dtype: float16 });
    const r9 = run('astype', [input(new Uint16Array(h), float16, [1])], [1], float32, { dtype: float32 })[0]!;
    return r6 > zj ? r9 : zj;
  });
  expect(got).toEqual(want);
});

test('compiled integer programs and bad programs', () => {
  const a = input(new Int32Array([1, 2, 3]), int32, [3]);
  const square: CompiledParams = { nInputs: 1, name: 'sq', instrs: [{ op: 'multiply', dtype: int32, args: [0, 0] }] };
  expect(run('compiled', [a], [3], int32, square)).toEqual([1, 4, 9]);
  const bad: CompiledParams = { nInputs: 1, name: 'bad', instrs: [{ op: 'exp', dtype: int32, args: [1] }] };
  expect(() => run('compiled', [a], [3], int32, bad)).toThrow(/not yet written/);
  const notElementwise: CompiledParams = { nInputs: 1, name: 'bad', instrs: [{ op: 'sum', dtype: int32, args: [0] }] };
  expect(() => run('compiled', [a], [3], int32, notElementwise)).toThrow(/elementwise/);
  expect(() => run('compiled', [a], [3], int32, { nInputs: 1, name: 'empty', instrs: [] })).toThrow(/instruction/);
  expect(run('compiled', [input(new Int32Array(0), int32, [0])], [0], int32, square)).toEqual([]);
});
