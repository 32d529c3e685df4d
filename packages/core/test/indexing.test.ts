/** Indexing: take, takeAlongAxis, putAlongAxis, index and at (packages/core/src/ops/indexing.ts), checked against an element-by-element NumPy oracle written here. */
import { describe, expect, test } from 'vitest';
import * as mx from '@mlx-ts/core';
import { vals, iota } from './helpers.js';

// ---------------------------------------------------------------------------------------------
// A NumPy indexing oracle: maps every element of a[idx] to a flat source index.

type Idx = number | string | null | number[] | number[][] | number[][][];

function sliceParams(s: string, n: number): { start: number; step: number; len: number } {
  const parts = s.split(':').map((t) => (t.trim() === '' ? null : Number(t)));
  const step = parts[2] ?? 1;
  let start = parts[0] ?? null;
  let stop = parts[1] ?? null;
  if (step > 0) {
    start = start === null ? 0 : start < 0 ? Math.max(start + n, 0) : Math.min(start, n);
    stop = stop === null ? n : stop < 0 ? Math.max(stop + n, 0) : Math.min(stop, n);
    return { start, step, len: Math.max(0, Math.ceil((stop - start) / step)) };
  }
  start = start === null ? n - 1 : start < 0 ? Math.max(start + n, -1) : Math.min(start, n - 1);
  stop = stop === null ? -1 : stop < 0 ? Math.max(stop + n, -1) : Math.min(stop, n - 1);
  return { start, step, len: Math.max(0, Math.ceil((start - stop) / -step)) };
}

function shapeOf(x: unknown): number[] {
  const s: number[] = [];
  while (Array.isArray(x)) {
    s.push(x.length);
    x = x[0];
  }
  return s;
}
function flatOf(x: unknown): number[] {
  return Array.isArray(x) ? x.flatMap(flatOf) : [x as number];
}
function bcast(...shapes: number[][]): number[] {
  const nd = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array(nd).fill(1);
  for (const s of shapes)
    s.forEach((d, i) => {
      const o = nd - s.length + i;
      if (out[o] === 1) out[o] = d;
      else if (d !== 1 && d !== out[o]) throw new Error('oracle: bad broadcast');
    });
  return out;
}
function unravel(i: number, shape: number[]): number[] {
  const out = new Array(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return out;
}

/** [result shape, flat source index of each result element] for a[...idx] under NumPy's rules. */
function oracle(shape: number[], idx: Idx[]): [number[], number[]] {
  const consuming = idx.filter((x) => x !== null && x !== '...').length;
  const items: Idx[] = [];
  let sawEllipsis = false;
  for (const x of idx) {
    if (x === '...') {
      sawEllipsis = true;
      for (let j = 0; j < shape.length - consuming; j++) items.push(':');
    } else items.push(x);
  }
  if (!sawEllipsis) for (let j = 0; j < shape.length - consuming; j++) items.push(':');
  type E = { k: 'slice'; axis: number; start: number; step: number; len: number } | { k: 'none' } | { k: 'adv'; axis: number; shape: number[]; vals: number[] };
  const es: E[] = [];
  let axis = 0;
  for (const x of items) {
    if (x === null) es.push({ k: 'none' });
    else if (typeof x === 'string') (es.push({ k: 'slice', axis, ...sliceParams(x, shape[axis]!) }), axis++);
    else {
      const n = shape[axis]!;
      es.push({ k: 'adv', axis, shape: shapeOf(x), vals: flatOf(x).map((v) => (v < 0 ? v + n : v)) });
      axis++;
    }
  }
  const advs = es.filter((e): e is Extract<E, { k: 'adv' }> => e.k === 'adv');
  const hasArray = advs.some((e) => e.shape.length > 0) || idx.some((x) => Array.isArray(x));
  const B = bcast(...advs.map((e) => e.shape));
  // adjacency
  let first = false;
  if (hasArray) {
    let seenAdv = false,
      gap = false;
    for (const e of es) {
      if (e.k === 'adv') {
        if (seenAdv && gap) first = true;
        seenAdv = true;
      } else if (seenAdv) gap = true;
    }
  }
  // result dims: list of descriptors
  type D = { k: 'b'; j: number } | { k: 's'; e: Extract<E, { k: 'slice' }> } | { k: 'n' };
  const dims: D[] = [];
  if (hasArray && first) B.forEach((_, j) => dims.push({ k: 'b', j }));
  let placed = !hasArray || first;
  for (const e of es) {
    if (e.k === 'slice') dims.push({ k: 's', e });
    else if (e.k === 'none') dims.push({ k: 'n' });
    else if (!placed) {
      B.forEach((_, j) => dims.push({ k: 'b', j }));
      placed = true;
    }
  }
  const rshape = dims.map((d) => (d.k === 'b' ? B[d.j]! : d.k === 's' ? d.e.len : 1));
  const total = rshape.reduce((p, d) => p * d, 1);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, d) => p * d, 1));
  const out: number[] = [];
  for (let i = 0; i < total; i++) {
    const ri = unravel(i, rshape);
    const bi = new Array(B.length).fill(0);
    let src = 0;
    dims.forEach((d, k) => {
      if (d.k === 'b') bi[d.j] = ri[k];
      else if (d.k === 's') src += (d.e.start + ri[k]! * d.e.step) * strides[d.e.axis]!;
    });
    for (const e of advs) {
      // broadcast position into e's own shape
      const off = B.length - e.shape.length;
      let fi = 0;
      e.shape.forEach((d, q) => (fi = fi * d + (d === 1 ? 0 : bi[off + q]!)));
      src += e.vals[fi]! * strides[e.axis]!;
    }
    out.push(src);
  }
  return [rshape, out];
}

function checkIndex(shape: number[], idx: Idx[]): void {
  const a = iota(shape);
  const [rshape, src] = oracle(shape, idx);
  const r = mx.index(a, ...(idx as mx.IndexArg[]));
  expect(r.shape, JSON.stringify(idx)).toEqual(rshape);
  expect(vals(r), JSON.stringify(idx)).toEqual(src);
}

// ---------------------------------------------------------------------------------------------

describe('take / takeAlongAxis / putAlongAxis', () => {
  const a = iota([3, 4]);
  test('take', () => {
    expect(mx.take(a, [0, 5, -1]).tolist()).toEqual([0, 5, 11]); // flattened
    expect(mx.take(a, [2, 0], 0).tolist()).toEqual([
      [8, 9, 10, 11],
      [0, 1, 2, 3],
    ]);
    expect(mx.take(a, [[1], [3]], 1).shape).toEqual([3, 2, 1]);
    expect(mx.take(a, mx.array([-1, 1], mx.int32), { axis: 1 }).tolist()).toEqual([
      [3, 1],
      [7, 5],
      [11, 9],
    ]);
    expect(mx.take(a, 1, 1).tolist()).toEqual([1, 5, 9]);
    expect(mx.take(a, mx.array(2, mx.uint32), 0).tolist()).toEqual([8, 9, 10, 11]);
    expect(() => mx.take(a, [12])).toThrow(/take: index 12 is out of bounds for axis 0 with size 12/);
    expect(() => mx.take(a, mx.array([0.5]))).toThrow(/take: expected an integer index array, got dtype float32/);
    expect(() => mx.take(a, mx.array([true]))).toThrow(/take: boolean index arrays are not supported/);
    expect(() => mx.take(a, [0], 2)).toThrow(/take: axis 2 is out of bounds/);
  });
  test('take clamps out-of-range Array indices (the gather contract)', () => {
    expect(mx.take(mx.array([1, 2, 3]), mx.array([5, -1, -7], mx.int32)).tolist()).toEqual([3, 3, 1]);
  });
  test('takeAlongAxis broadcasts except along the axis', () => {
    const idx = mx.argsort(
      mx.array([
        [3, 1, 2],
        [0, 5, -1],
      ]),
      1,
    );
    expect(
      mx
        .takeAlongAxis(
          mx.array([
            [3, 1, 2],
            [0, 5, -1],
          ]),
          idx,
          1,
        )
        .tolist(),
    ).toEqual([
      [1, 2, 3],
      [-1, 0, 5],
    ]);
    expect(mx.takeAlongAxis(a, [[0], [3], [1]], -1).tolist()).toEqual([[0], [7], [9]]);
    expect(mx.takeAlongAxis(a, [[2, 0, 1, 0]], 0).tolist()).toEqual([[8, 1, 6, 3]]);
    // a [1, 4] against indices [3, 1] along axis 1: a broadcasts to [3, 4]
    const row = mx.array([[10, 11, 12, 13]]);
    expect(mx.takeAlongAxis(row, [[0], [3], [2]], 1).tolist()).toEqual([[10], [13], [12]]);
    expect(mx.takeAlongAxis(a, [5, 0], null).tolist()).toEqual([5, 0]);
    expect(() => mx.takeAlongAxis(a, [1, 2], 0)).toThrow(/takeAlongAxis: indices of dimension 1 do not match an array of dimension 2/);
  });
  test('putAlongAxis', () => {
    const b = iota([2, 3]);
    expect(mx.putAlongAxis(b, [[2], [0]], 100, 1).tolist()).toEqual([
      [0, 1, 100],
      [100, 4, 5],
    ]);
    expect(mx.putAlongAxis(b, [[1, 0, 1]], [[7, 8, 9]], 0).tolist()).toEqual([
      [0, 8, 2],
      [7, 4, 9],
    ]);
    expect(mx.putAlongAxis(b, [0, 5], [-1, -2], null).tolist()).toEqual([
      [-1, 1, 2],
      [3, 4, -2],
    ]);
    const i32 = mx.putAlongAxis(mx.array([1, 2, 3], mx.int32), [1], 7.9, 0);
    expect(i32.dtype).toBe(mx.int32);
    expect(i32.tolist()).toEqual([1, 7, 3]);
  });
});
describe('index', () => {
  test('basic indexing: integers, slices, null, ellipsis', () => {
    const a = iota([2, 3, 4]);
    expect(mx.index(a, 1).shape).toEqual([3, 4]);
    expect(mx.index(a, -1, 2, 3).tolist()).toEqual(23);
    expect(mx.index(a, 0, '::-1', 1).tolist()).toEqual([9, 5, 1]);
    expect(mx.index(a, '...', 1).tolist()).toEqual([
      [1, 5, 9],
      [13, 17, 21],
    ]);
    expect(mx.index(a, null, 0, null, '1:', '::2').shape).toEqual([1, 1, 2, 2]);
    expect(mx.index(a).shape).toEqual([2, 3, 4]);
    expect(mx.index(a, '-2:', '5:').shape).toEqual([2, 0, 4]);
    expect(mx.index(a, 1, { start: 2, stop: 0, step: -1 }).tolist()).toEqual([
      [20, 21, 22, 23],
      [16, 17, 18, 19],
    ]);
    // No graph node for plain slices beyond one view.
    expect(mx.index(a, 0, '1:3').primitive).toBe('reshape');
  });
  test('advanced indexing matches NumPy', () => {
    const cases: [number[], Idx[]][] = [
      [[5], [[0, 4, -1, 2]]],
      [
        [3, 4],
        [
          [2, 0],
          [1, 3],
        ],
      ],
      [
        [3, 4],
        [
          [[0], [2]],
          [0, 3],
        ],
      ], // broadcast to [2, 2]
      [
        [3, 4, 5],
        [':', [0, 2], [1, 1]],
      ], // adjacent: dims stay in place
      [
        [3, 4, 5],
        [[0, 2], ':', [1, 4]],
      ], // separated: dims go first
      [
        [3, 4, 5],
        [0, ':', [1, 2]],
      ], // int counts as advanced: separated -> first
      [
        [3, 4, 5],
        [':', 0, [1, 2]],
      ], // adjacent
      [
        [3, 4, 5],
        [[1, 0], null, 2],
      ], // a None separates
      [
        [3, 4, 5],
        ['...', [0, 3]],
      ],
      [
        [3, 4, 5],
        [[2], '1:', '::-2'],
      ],
      [
        [3, 4, 5],
        [null, [[1, 2]], '...', [-1, 0]],
      ],
      [
        [2, 3, 4, 5],
        [':', [0, 2], ':', [1, 3]],
      ],
      [
        [2, 3, 4, 5],
        [1, '::-1', [[0], [3]], [2, 4, 0]],
      ],
      [
        [4, 3],
        [[], ':'],
      ],
      [
        [4, 3],
        [
          [
            [1, 2],
            [3, 0],
          ],
        ],
      ],
      [[6], ['1:5:2']],
      [
        [2, 3],
        [[1], [2], null],
      ],
    ];
    for (const [shape, idx] of cases) checkIndex(shape, idx);
  });
  test('hand-checked NumPy shapes', () => {
    const a = iota([5, 6, 7, 8]);
    expect(mx.index(a, ':', [0, 1], ':', 0).shape).toEqual([2, 5, 7]); // x[:, [0,1], :, 0]
    expect(mx.index(a, ':', [0, 1], 0, ':').shape).toEqual([5, 2, 8]); // x[:, [0,1], 0, :]
    expect(mx.index(a, '...', [[0, 1]], [[1], [2]]).shape).toEqual([5, 6, 2, 2]);
  });
  test('Array indices (any int dtype), negative values wrap', () => {
    const a = iota([3, 4]);
    expect(mx.index(a, mx.array([2, -1], mx.int32)).tolist()).toEqual([
      [8, 9, 10, 11],
      [8, 9, 10, 11],
    ]);
    expect(mx.index(a, mx.array([0, 2], mx.uint8), mx.array([-1, 0], mx.int16)).tolist()).toEqual([3, 8]);
    expect(mx.index(a, ':', mx.array(1, mx.int32)).tolist()).toEqual([1, 5, 9]);
  });
  test('errors', () => {
    const a = iota([3, 4]);
    expect(() => mx.index(a, 3)).toThrow(/index: index 3 is out of bounds for axis 0 with size 3/);
    expect(() => mx.index(a, 0, -5)).toThrow(/index: index -5 is out of bounds for axis 1 with size 4/);
    expect(() => mx.index(a, 0, 0, 0)).toThrow(/index: too many indices for an array of dimension 2/);
    expect(() => mx.index(a, '...', 0, '...')).toThrow(/single ellipsis/);
    expect(() => mx.index(a, '1:2:0')).toThrow(/slice step cannot be zero/);
    expect(() => mx.index(a, 'a:b')).toThrow(/index: expected a slice string/);
    expect(() => mx.index(a, [true, false, true])).toThrow(/boolean index arrays are not supported/);
    expect(() => mx.index(a, mx.array([true, false, true]))).toThrow(/boolean index arrays are not supported/);
    expect(() => mx.index(a, mx.array([0.5]))).toThrow(/index: expected an integer index array, got dtype float32/);
    expect(() => mx.index(a, [0, 3])).toThrow(/index: index 3 is out of bounds for axis 0 with size 3/);
    expect(() => mx.index(a, 1.5)).toThrow(/index: expected an integer index, got 1.5/);
    expect(() => mx.index(a, [[0, 1], [2]])).toThrow(/ragged index array/);
    expect(() => mx.index(a, [0, 1], [0, 1, 2])).toThrow(/cannot be broadcast/);
  });
});

/** at() oracle: applies the update sequentially at each oracle source position. */
function checkAt(shape: number[], idx: Idx[], mode: 'set' | 'add' | 'subtract' | 'multiply' | 'divide' | 'maximum' | 'minimum', v: number | number[]): void {
  const a = iota(shape);
  const [rshape, src] = oracle(shape, idx);
  const upd = Array.isArray(v) ? v : [v];
  const vshape = Array.isArray(v) ? [v.length] : [];
  const bshape = bcast(rshape, vshape);
  expect(bshape).toEqual(rshape);
  const out = Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, i) => i);
  src.forEach((s, i) => {
    const u = upd[upd.length === 1 ? 0 : i % upd.length]!;
    const cur = out[s]!;
    out[s] =
      mode === 'set'
        ? u
        : mode === 'add'
          ? cur + u
          : mode === 'subtract'
            ? cur - u
            : mode === 'multiply'
              ? cur * u
              : mode === 'divide'
                ? cur * Math.fround(1 / u)
                : mode === 'maximum'
                  ? Math.max(cur, u)
                  : Math.min(cur, u);
  });
  const r = mx.at(a, ...(idx as mx.IndexArg[]))[mode](Array.isArray(v) ? mx.array(v) : v);
  expect(r.shape).toEqual(shape);
  const got = vals(r);
  expect(
    got.map((x) => Math.fround(x)),
    `${mode} ${JSON.stringify(idx)}`,
  ).toEqual(out.map((x) => Math.fround(x)));
}

describe('at', () => {
  test('functional updates leave the input alone', () => {
    const a = mx.array([1, 2, 3]);
    const b = mx.at(a, 1).set(10);
    expect(b.tolist()).toEqual([1, 10, 3]);
    expect(a.tolist()).toEqual([1, 2, 3]);
  });
  test('duplicate indices accumulate for add/multiply/maximum/minimum, last wins for set', () => {
    const a = mx.array([0, 0, 0, 0]);
    expect(mx.at(a, [0, 1, 0, 0]).add(1).tolist()).toEqual([3, 1, 0, 0]);
    expect(
      mx
        .at(mx.array([1, 2, 3]), [2, 2])
        .multiply(2)
        .tolist(),
    ).toEqual([1, 2, 12]);
    expect(
      mx
        .at(mx.array([1, 2, 3]), [0, 0])
        .maximum(mx.array([5, 4]))
        .tolist(),
    ).toEqual([5, 2, 3]);
    expect(
      mx
        .at(mx.array([1, 2, 3]), [0, 0])
        .minimum(mx.array([-5, -4]))
        .tolist(),
    ).toEqual([-5, 2, 3]);
    expect(
      mx
        .at(mx.array([1, 2, 3]), [1, 1])
        .set(mx.array([7, 8]))
        .tolist(),
    ).toEqual([1, 8, 3]);
    expect(
      mx
        .at(mx.array([1, 2, 3]), [1, 1])
        .subtract(1)
        .tolist(),
    ).toEqual([1, 0, 3]);
  });
  test('matches the oracle on mixed indices', () => {
    const cases: [number[], Idx[], number | number[]][] = [
      [[3, 4], [1], [1, 2, 3, 4]],
      [[3, 4], [':', '1:3'], 5],
      [
        [3, 4],
        ['::-1', 2],
        [1, 2, 3],
      ],
      [
        [3, 4, 5],
        [[0, 2], ':', [1, 4]],
        [1, 2, 3, 4],
      ],
      [[3, 4, 5], [0, ':', [1, 2]], 2],
      [
        [3, 4, 5],
        [':', 0, [1, 2]],
        [3, 4],
      ],
      [
        [3, 4, 5],
        [null, '1:', '...', [0, 0, 4]],
        [1, 2, 3],
      ],
      [
        [2, 3, 4],
        [1, '::2', '-1:'],
      ],
      [[2, 3, 4], ['...']],
      [
        [2, 3, 4],
        [[[1], [0]], [0, 2], '1:3'],
        [9, 8],
      ],
      [[2, 3, 4], [-1, -1, -1], 9],
    ].map((c) => (c.length === 2 ? [c[0], c[1], 3] : c)) as never;
    for (const [shape, idx, v] of cases) {
      for (const mode of ['set', 'add', 'subtract', 'multiply', 'divide', 'maximum', 'minimum'] as const) checkAt(shape, idx, mode, v);
    }
  });
  test('whole-array updates and 0-d arrays', () => {
    expect(mx.at(mx.array(5)).add(1).tolist()).toEqual(6);
    expect(
      mx
        .at(mx.array([1, 2]), '...')
        .multiply(mx.array([3, 4]))
        .tolist(),
    ).toEqual([3, 8]);
    expect(
      mx
        .at(mx.array([1, 2]), null, ':')
        .set(0)
        .tolist(),
    ).toEqual([0, 0]);
    expect(
      mx
        .at(mx.array([1, 2]), [])
        .add(1)
        .tolist(),
    ).toEqual([1, 2]); // empty index: no-op
  });
  test('updates: cast to the dtype, leading ones dropped, broadcast checked', () => {
    const a = mx.array(
      [
        [1, 2],
        [3, 4],
      ],
      mx.int32,
    );
    const r = mx.at(a, 0).set(mx.array([[[9.7, 8.2]]]));
    expect(r.dtype).toBe(mx.int32);
    expect(r.tolist()).toEqual([
      [9, 8],
      [3, 4],
    ]);
    expect(() => mx.at(a, 0).set(mx.array([1, 2, 3]))).toThrow(/at.set: cannot broadcast updates of shape \[3\] to the indexed shape \[2\]/);
    expect(
      mx
        .at(a, mx.array([1, -2], mx.int32), mx.array([0, 1], mx.int32))
        .add(10)
        .tolist(),
    ).toEqual([
      [1, 12],
      [13, 4],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
