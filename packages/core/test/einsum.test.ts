// einsum and einsumPath: NumPy's values on fixed operands (fixtures/gen_einsum.py), MLX's greedy
// contraction order, the lowering to matmul, and the errors MLX raises.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import * as mx from 'mlx-ts';

interface Tensor {
  shape: number[];
  data: number[];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/einsum.json', import.meta.url), 'utf8')) as {
  cases: { subscripts: string; operands: Tensor[]; out: Tensor }[];
};
const make = (t: Tensor) => mx.reshape(mx.array(t.data, mx.float64), t.shape);

describe('einsum (NumPy values)', () => {
  test.each(fixture.cases.map((c) => [c.subscripts, c] as const))('%s', (_spec, c) => {
    const got = mx.einsum(c.subscripts, ...c.operands.map(make));
    expect(got.shape).toEqual(c.out.shape);
    const values = mx.reshape(got, [-1]).tolist() as number[];
    values.forEach((v, i) => expect(v).toBeCloseTo(c.out.data[i]!, 10));
  });

  test('integer operands contract by multiply and sum, keeping the integer dtype', () => {
    const a = mx.array(
      [
        [1, 2],
        [3, 4],
      ],
      mx.int32,
    );
    const r = mx.einsum('ij,jk->ik', a, a);
    expect(r.dtype).toBe(mx.int32);
    expect(r.tolist()).toEqual([
      [7, 10],
      [15, 22],
    ]);
  });

  test('a summed pair of float operands is one matmul', () => {
    const graph = (spec: string, a: mx.Array, b: mx.Array) => mx.exportToDot((x: mx.Array, y: mx.Array) => mx.einsum(spec, x, y), a, b);
    expect(graph('bij,bjk->bik', mx.ones([2, 3, 4]), mx.ones([2, 4, 5]))).toContain('matmul');
    expect(graph('ij,ij->ij', mx.ones([2, 3]), mx.ones([2, 3]))).not.toContain('matmul');
  });

  test('options: a trailing {stream}', () => {
    expect(mx.einsum('i,i', mx.array([1, 2]), mx.array([3, 4]), { stream: mx.cpu }).item()).toBe(11);
  });
});

describe('einsumPath (MLX greedy order)', () => {
  test('pairs that remove the most elements first; results appended at the end', () => {
    const [path, info] = mx.einsumPath('ab,bc,cd,de->ae', mx.ones([2, 3]), mx.ones([3, 4]), mx.ones([4, 5]), mx.ones([5, 2]));
    expect(path).toEqual([
      [2, 3],
      [1, 2],
      [0, 1],
    ]);
    expect(info).toContain('Complete contraction:  ab,bc,cd,de->ae');
    expect(info).toMatch(/Naive FLOP count: +\d+/);
    expect(info).toMatch(/Optimized FLOP count: +\d+/);
  });
  test('two operands or fewer are one step', () => {
    expect(mx.einsumPath('ij,jk', mx.ones([2, 3]), mx.ones([3, 4]))[0]).toEqual([[0, 1]]);
    expect(mx.einsumPath('ii', mx.ones([3, 3]))[0]).toEqual([[0]]);
  });
  test('three operands sharing one letter contract pairwise', () => {
    expect(mx.einsumPath('i,i,i->i', mx.ones([3]), mx.ones([3]), mx.ones([3]))[0]).toEqual([
      [0, 1],
      [0, 1],
    ]);
  });
});

describe('einsum errors name the function and the problem', () => {
  const m = mx.ones([2, 3]);
  test.each([
    ['operand count', () => mx.einsum('ij,jk->ik', m), /einsum: 'ij,jk->ik' names 2 operands, got 1/],
    ['no operands', () => mx.einsum('ij'), /einsum: at least one operand is required/],
    ['a non-letter', () => mx.einsum('i1->i', m), /einsum: subscripts must be letters or '...', got '1'/],
    ['two ellipses', () => mx.einsum('......->', m), /einsum: only one ellipsis per subscript/],
    ['rank mismatch', () => mx.einsum('ijk', m), /einsum: operand 0 has shape \[2,3\] but its subscript 'ijk' names 3 axes/],
    ['sizes disagree', () => mx.einsum('ij,ij->ij', m, mx.ones([3, 2])), /einsum: 'i' has size 2 elsewhere but axis 0 of operand 1/],
    ['repeated letter over different sizes', () => mx.einsum('ii', m), /einsum: operand 0 repeats 'i' over axes of sizes 2 and 3/],
    ['repeated output letter', () => mx.einsum('ij->ii', m), /einsum: the output subscript 'ii' repeats a letter/],
    ['output letter in no operand', () => mx.einsum('ij->ik', m), /einsum: the output letter 'k' is in no operand's subscript/],
    ['subscripts not a string', () => mx.einsum(5 as never, m), /einsum: expected the subscripts string first, got a number \(5\)/],
    ['unknown option', () => mx.einsum('ij', m, { strem: mx.cpu } as never), /einsum: unknown option 'strem'/],
    ['ellipsis too long', () => mx.einsum('...ij', mx.ones([3])), /einsum: operand 0's subscript '...ij' needs at least 2 dimensions, got 1/],
    ['path: operand count', () => mx.einsumPath('i,i', m), /einsumPath: 'i,i' names 2 operands, got 1/],
  ])('%s', (_name, f, message) => {
    expect(f).toThrow(message);
  });
});
