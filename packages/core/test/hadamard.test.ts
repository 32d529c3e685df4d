// hadamardTransform: Sylvester's matrix (H_2n = [[H, H], [H, -H]]) for powers of two, H_m ⊗ H_2^k
// for the other sizes MLX takes (the last axis viewed as [m, 2^k], as MLX's kernels lay it out),
// scaled by 1/sqrt(n) unless a scale is given.
import { describe, expect, test } from 'vitest';
import * as mx from 'mlx-ts';

function sylvester(n: number): number[][] {
  let h = [[1]];
  while (h.length < n) h = [...h.map((r) => [...r, ...r]), ...h.map((r) => [...r, ...r.map((v) => -v)])];
  return h;
}
const kron = (a: number[][], b: number[][]) => a.flatMap((ra) => b.map((rb) => ra.flatMap((x) => rb.map((y) => x * y))));
const apply = (h: number[][], x: number[], scale: number) => h.map((row) => row.reduce((acc, v, j) => acc + v * x[j]!, 0) * scale);
const values = (n: number) => Array.from({ length: n }, (_, i) => Math.sin(i + 1) * 2);

describe('hadamardTransform', () => {
  test.each([1, 2, 4, 16, 64])('n = %i: Sylvester order, orthonormal scale', (n) => {
    const x = values(n);
    const got = mx.hadamardTransform(mx.array(x, mx.float64)).tolist() as number[];
    apply(sylvester(n), x, 1 / Math.sqrt(n)).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 10));
  });

  test.each([
    [12, 1],
    [12, 4],
    [20, 2],
    [28, 8],
  ])('n = %i * %i: the order-m matrix mixes the rows of [m, 2^k]', (m, p) => {
    const n = m * p;
    const x = values(n);
    const got = mx.hadamardTransform(mx.array(x, mx.float64)).tolist() as number[];
    // Recover H_m from the transform of unit vectors of the first column block, then check the Kronecker form.
    const unit = (k: number) =>
      mx.array(
        Array.from({ length: n }, (_, i) => (i === k * p ? 1 : 0)),
        mx.float64,
      );
    const hm = Array.from({ length: m }, (_, k) => (mx.hadamardTransform(unit(k), 1).tolist() as number[]).filter((_, i) => i % p === 0));
    const columns = hm[0]!.map((_, j) => hm.map((col) => col[j]!));
    for (const row of columns) expect(row.every((v) => v === 1 || v === -1)).toBe(true);
    // A Hadamard matrix: H H^T = m I.
    columns.forEach((r, i) => columns.forEach((q, j) => expect(r.reduce((acc, v, k) => acc + v * q[k]!, 0)).toBe(i === j ? m : 0)));
    apply(kron(columns, sylvester(p)), x, 1 / Math.sqrt(n)).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 9));
  });

  test('batched over leading axes; integers become float32; scale as given', () => {
    const x = mx.reshape(mx.arange(8), [2, 4]);
    const y = mx.hadamardTransform(x, 0.5);
    expect(y.dtype).toBe(mx.float32);
    expect(y.tolist()).toEqual([
      [3, -1, -2, 0],
      [11, -1, -2, 0],
    ]);
    expect(mx.hadamardTransform(mx.array([1, 2, 3, 4]), { scale: 1 }).tolist()).toEqual([10, -2, -4, 0]);
    expect(mx.hadamardTransform(mx.array(3), 2).item()).toBe(6);
    expect(mx.hadamardTransform(mx.array([1, 1]), null).tolist()).toEqual([Math.SQRT2, 0].map((v) => Math.fround(v)));
    expect(mx.hadamardTransform(mx.ones([2, 4], mx.float16)).dtype).toBe(mx.float16);
  });

  test('sizes MLX does not take, empty arrays and a bad scale are Errors naming the function', () => {
    expect(() => mx.hadamardTransform(mx.ones([6]))).toThrow(
      /hadamardTransform: the last axis must have m \* 2\^k elements with m one of 1, 12, 20, 28, got 6/,
    );
    expect(() => mx.hadamardTransform(mx.ones([24 * 3]))).toThrow(/got 72/);
    expect(() => mx.hadamardTransform(mx.zeros([0]))).toThrow(/hadamardTransform: empty arrays are not supported/);
    expect(() => mx.hadamardTransform(mx.ones([4]), '2' as never)).toThrow(/hadamardTransform: expected scale to be a number, got a string \('2'\)/);
  });
});
