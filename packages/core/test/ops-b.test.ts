/**
 * Ops part B: eval/asyncEval, scans, sorting, indexing (take, takeAlongAxis, putAlongAxis, index,
 * at) and random. Values are checked against NumPy/MLX semantics; indexing also against a small
 * element-by-element NumPy oracle written here.
 */
import { describe, expect, test } from 'vitest';
import * as mx from '@mlx-ts/core';
import { referenceBackend } from '@mlx-ts/reference-backend';

mx.registerBackend(referenceBackend);

const vals = (a: mx.Array): number[] => Array.from(a.toTypedArray() as ArrayLike<number>, Number);

/** A row-major array 0..n-1 of `shape`, built without relying on other helpers' ops. */
function iota(shape: number[], dtype: mx.Dtype = mx.float32): mx.Array {
  const n = shape.reduce((p, d) => p * d, 1);
  const flat = Array.from({ length: n }, (_, i) => i);
  const nest = (off: number, dims: number[]): unknown => {
    if (dims.length === 0) return flat[off];
    const step = dims.slice(1).reduce((p, d) => p * d, 1);
    return Array.from({ length: dims[0]! }, (_, i) => nest(off + i * step, dims.slice(1)));
  };
  if (shape.length === 0) return mx.array(0, dtype);
  return mx.array(nest(0, shape) as number[], dtype);
}

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
  for (const s of shapes) s.forEach((d, i) => {
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
    else if (typeof x === 'string') es.push({ k: 'slice', axis, ...sliceParams(x, shape[axis]!) }), axis++;
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
    let seenAdv = false, gap = false;
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

describe('eval / asyncEval', () => {
  test('evaluates arrays in pytrees and ignores other leaves', async () => {
    const a = mx.add(mx.array([1, 2]), 1);
    const b = mx.multiply(mx.array([3]), 2);
    const c = mx.negative(mx.array(1));
    expect(a.isEvaluated).toBe(false);
    mx.eval({ x: [a, 'text', 3, null], y: { z: b } }, undefined, c);
    expect(a.isEvaluated && b.isEvaluated && c.isEvaluated).toBe(true);
    const d = mx.add(a, 1);
    await mx.asyncEval([[d]]);
    expect(d.isEvaluated).toBe(true);
    expect(d.tolist()).toEqual([3, 4]);
    mx.eval(); // nothing to do
  });
});

describe('scans', () => {
  test('cumsum flattens by default and scans along an axis', () => {
    const a = iota([2, 3]);
    expect(mx.cumsum(a).tolist()).toEqual([0, 1, 3, 6, 10, 15]);
    expect(mx.cumsum(a, 1).tolist()).toEqual([[0, 1, 3], [3, 7, 12]]);
    expect(mx.cumsum(a, { axis: 0 }).tolist()).toEqual([[0, 1, 2], [3, 5, 7]]);
    expect(mx.cumsum(a, -1, { reverse: true }).tolist()).toEqual([[3, 3, 2], [12, 9, 5]]);
    expect(mx.cumsum(a, 1, { inclusive: false }).tolist()).toEqual([[0, 0, 1], [0, 3, 7]]);
    expect(mx.cumsum(a, { axis: 1, reverse: true, inclusive: false }).tolist()).toEqual([[3, 2, 0], [9, 5, 0]]);
  });
  test('cumsum/cumprod of bool give int32; cummax/cummin keep the dtype', () => {
    const b = mx.array([true, false, true]);
    expect(mx.cumsum(b).dtype).toBe(mx.int32);
    expect(mx.cumsum(b).tolist()).toEqual([1, 1, 2]);
    expect(mx.cumprod(b).dtype).toBe(mx.int32);
    const x = mx.array([3, 1, 4, 1, 5], mx.int32);
    expect(mx.cumprod(x).tolist()).toEqual([3, 3, 12, 12, 60]);
    expect(mx.cummax(x).tolist()).toEqual([3, 3, 4, 4, 5]);
    expect(mx.cummin(x).tolist()).toEqual([3, 1, 1, 1, 1]);
    expect(mx.cummax(x, 0, { reverse: true }).tolist()).toEqual([5, 5, 5, 5, 5]);
    expect(mx.cummax(x).dtype).toBe(mx.int32);
  });
  test('errors name the function', () => {
    expect(() => mx.cumsum(iota([2]), 1)).toThrow(/cumsum: axis 1 is out of bounds/);
    expect(() => mx.cumsum(iota([2]), 0, { bogus: 1 } as never)).toThrow(/cumsum: unknown option 'bogus'/);
  });
});

describe('sorting', () => {
  const a = mx.array([[3, 1, 2], [0, 5, -1]]);
  test('sort and argsort', () => {
    expect(mx.sort(a).tolist()).toEqual([[1, 2, 3], [-1, 0, 5]]);
    expect(mx.sort(a, 0).tolist()).toEqual([[0, 1, -1], [3, 5, 2]]);
    expect(mx.sort(a, null).tolist()).toEqual([-1, 0, 1, 2, 3, 5]);
    expect(mx.sort(a, { axis: null }).shape).toEqual([6]);
    const i = mx.argsort(a);
    expect(i.dtype).toBe(mx.uint32);
    expect(i.tolist()).toEqual([[1, 2, 0], [2, 0, 1]]);
    expect(mx.argsort(a, null).tolist()).toEqual([5, 3, 1, 2, 0, 4]);
    expect(mx.argsort(mx.array([2, 1, 2, 1])).tolist()).toEqual([1, 3, 0, 2]); // stable
  });
  test('topk returns the k largest, ascending', () => {
    expect(mx.topk(a, 2).tolist()).toEqual([[2, 3], [0, 5]]);
    expect(mx.topk(a, 1, 0).tolist()).toEqual([[3, 5, 2]]);
    expect(mx.topk(a, 3, null).tolist()).toEqual([2, 3, 5]);
    expect(mx.topk(a, 0).shape).toEqual([2, 0]);
    expect(() => mx.topk(a, 4)).toThrow(/topk: k must be in \[0, 3\]/);
  });
  test('partition and argpartition', () => {
    const x = mx.array([5, 2, 8, 1, 9, 3]);
    const p = mx.partition(x, 2).tolist() as number[];
    expect(p[2]).toBe(3);
    expect(p.slice(0, 2).every((v) => v <= 3) && p.slice(3).every((v) => v >= 3)).toBe(true);
    const ip = mx.argpartition(x, -1).tolist() as number[];
    expect(ip[5]).toBe(4);
    expect(() => mx.partition(x, 6)).toThrow(/partition: kth 6 is out of range/);
  });
  test('0-d arrays need axis null', () => {
    expect(() => mx.sort(mx.array(1))).toThrow(/sort: axis -1 is out of bounds/);
    expect(mx.sort(mx.array(1), null).tolist()).toEqual([1]);
  });
});

describe('take / takeAlongAxis / putAlongAxis', () => {
  const a = iota([3, 4]);
  test('take', () => {
    expect(mx.take(a, [0, 5, -1]).tolist()).toEqual([0, 5, 11]); // flattened
    expect(mx.take(a, [2, 0], 0).tolist()).toEqual([[8, 9, 10, 11], [0, 1, 2, 3]]);
    expect(mx.take(a, [[1], [3]], 1).shape).toEqual([3, 2, 1]);
    expect(mx.take(a, mx.array([-1, 1], mx.int32), { axis: 1 }).tolist()).toEqual([[3, 1], [7, 5], [11, 9]]);
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
    const idx = mx.argsort(mx.array([[3, 1, 2], [0, 5, -1]]), 1);
    expect(mx.takeAlongAxis(mx.array([[3, 1, 2], [0, 5, -1]]), idx, 1).tolist()).toEqual([[1, 2, 3], [-1, 0, 5]]);
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
    expect(mx.putAlongAxis(b, [[2], [0]], 100, 1).tolist()).toEqual([[0, 1, 100], [100, 4, 5]]);
    expect(mx.putAlongAxis(b, [[1, 0, 1]], [[7, 8, 9]], 0).tolist()).toEqual([[0, 8, 2], [7, 4, 9]]);
    expect(mx.putAlongAxis(b, [0, 5], [-1, -2], null).tolist()).toEqual([[-1, 1, 2], [3, 4, -2]]);
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
    expect(mx.index(a, '...', 1).tolist()).toEqual([[1, 5, 9], [13, 17, 21]]);
    expect(mx.index(a, null, 0, null, '1:', '::2').shape).toEqual([1, 1, 2, 2]);
    expect(mx.index(a).shape).toEqual([2, 3, 4]);
    expect(mx.index(a, '-2:', '5:').shape).toEqual([2, 0, 4]);
    expect(mx.index(a, 1, { start: 2, stop: 0, step: -1 }).tolist()).toEqual([[20, 21, 22, 23], [16, 17, 18, 19]]);
    // No graph node for plain slices beyond one view.
    expect(mx.index(a, 0, '1:3').primitive).toBe('reshape');
  });
  test('advanced indexing matches NumPy', () => {
    const cases: [number[], Idx[]][] = [
      [[5], [[0, 4, -1, 2]]],
      [[3, 4], [[2, 0], [1, 3]]],
      [[3, 4], [[[0], [2]], [0, 3]]], // broadcast to [2, 2]
      [[3, 4, 5], [':', [0, 2], [1, 1]]], // adjacent: dims stay in place
      [[3, 4, 5], [[0, 2], ':', [1, 4]]], // separated: dims go first
      [[3, 4, 5], [0, ':', [1, 2]]], // int counts as advanced: separated -> first
      [[3, 4, 5], [':', 0, [1, 2]]], // adjacent
      [[3, 4, 5], [[1, 0], null, 2]], // a None separates
      [[3, 4, 5], ['...', [0, 3]]],
      [[3, 4, 5], [[2], '1:', '::-2']],
      [[3, 4, 5], [null, [[1, 2]], '...', [-1, 0]]],
      [[2, 3, 4, 5], [':', [0, 2], ':', [1, 3]]],
      [[2, 3, 4, 5], [1, '::-1', [[0], [3]], [2, 4, 0]]],
      [[4, 3], [[], ':']],
      [[4, 3], [[[1, 2], [3, 0]]]],
      [[6], ['1:5:2']],
      [[2, 3], [[1], [2], null]],
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
    expect(mx.index(a, mx.array([2, -1], mx.int32)).tolist()).toEqual([[8, 9, 10, 11], [8, 9, 10, 11]]);
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
    out[s] = mode === 'set' ? u : mode === 'add' ? cur + u : mode === 'subtract' ? cur - u : mode === 'multiply' ? cur * u : mode === 'divide' ? cur * Math.fround(1 / u) : mode === 'maximum' ? Math.max(cur, u) : Math.min(cur, u);
  });
  const r = mx.at(a, ...(idx as mx.IndexArg[]))[mode](Array.isArray(v) ? mx.array(v) : v);
  expect(r.shape).toEqual(shape);
  const got = vals(r);
  expect(got.map((x) => Math.fround(x)), `${mode} ${JSON.stringify(idx)}`).toEqual(out.map((x) => Math.fround(x)));
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
    expect(mx.at(mx.array([1, 2, 3]), [2, 2]).multiply(2).tolist()).toEqual([1, 2, 12]);
    expect(mx.at(mx.array([1, 2, 3]), [0, 0]).maximum(mx.array([5, 4])).tolist()).toEqual([5, 2, 3]);
    expect(mx.at(mx.array([1, 2, 3]), [0, 0]).minimum(mx.array([-5, -4])).tolist()).toEqual([-5, 2, 3]);
    expect(mx.at(mx.array([1, 2, 3]), [1, 1]).set(mx.array([7, 8])).tolist()).toEqual([1, 8, 3]);
    expect(mx.at(mx.array([1, 2, 3]), [1, 1]).subtract(1).tolist()).toEqual([1, 0, 3]);
  });
  test('matches the oracle on mixed indices', () => {
    const cases: [number[], Idx[], number | number[]][] = [
      [[3, 4], [1], [1, 2, 3, 4]],
      [[3, 4], [':', '1:3'], 5],
      [[3, 4], ['::-1', 2], [1, 2, 3]],
      [[3, 4, 5], [[0, 2], ':', [1, 4]], [1, 2, 3, 4]],
      [[3, 4, 5], [0, ':', [1, 2]], 2],
      [[3, 4, 5], [':', 0, [1, 2]], [3, 4]],
      [[3, 4, 5], [null, '1:', '...', [0, 0, 4]], [1, 2, 3]],
      [[2, 3, 4], [1, '::2', '-1:']], 
      [[2, 3, 4], ['...']],
      [[2, 3, 4], [[[1], [0]], [0, 2], '1:3'], [9, 8]],
      [[2, 3, 4], [-1, -1, -1], 9],
    ].map((c) => (c.length === 2 ? [c[0], c[1], 3] : c)) as never;
    for (const [shape, idx, v] of cases) {
      for (const mode of ['set', 'add', 'subtract', 'multiply', 'divide', 'maximum', 'minimum'] as const) checkAt(shape, idx, mode, v);
    }
  });
  test('whole-array updates and 0-d arrays', () => {
    expect(mx.at(mx.array(5)).add(1).tolist()).toEqual(6);
    expect(mx.at(mx.array([1, 2]), '...').multiply(mx.array([3, 4])).tolist()).toEqual([3, 8]);
    expect(mx.at(mx.array([1, 2]), null, ':').set(0).tolist()).toEqual([0, 0]);
    expect(mx.at(mx.array([1, 2]), []).add(1).tolist()).toEqual([1, 2]); // empty index: no-op
  });
  test('updates: cast to the dtype, leading ones dropped, broadcast checked', () => {
    const a = mx.array([[1, 2], [3, 4]], mx.int32);
    const r = mx.at(a, 0).set(mx.array([[[9.7, 8.2]]]));
    expect(r.dtype).toBe(mx.int32);
    expect(r.tolist()).toEqual([[9, 8], [3, 4]]);
    expect(() => mx.at(a, 0).set(mx.array([1, 2, 3]))).toThrow(/at.set: cannot broadcast updates of shape \[3\] to the indexed shape \[2\]/);
    expect(mx.at(a, mx.array([1, -2], mx.int32), mx.array([0, 1], mx.int32)).add(10).tolist()).toEqual([[1, 12], [13, 4]]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('random', () => {
  test('threefry2x32 known-answer vectors (Random123 / JAX)', () => {
    const hex = (p: [number, number]) => p.map((x) => '0x' + x.toString(16).padStart(8, '0'));
    expect(hex(mx.random.threefry2x32Host(0, 0, 0, 0))).toEqual(['0x6b200159', '0x99ba4efe']);
    expect(hex(mx.random.threefry2x32Host(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff))).toEqual(['0x1cb996fc', '0xbb002be7']);
    expect(hex(mx.random.threefry2x32Host(0x13198a2e, 0x03707344, 0x243f6a88, 0x85a308d3))).toEqual(['0xc4923a9c', '0x483df7a0']);
  });
  test('key and split match MLX/JAX', () => {
    expect(mx.random.key(0).tolist()).toEqual([0, 0]);
    expect(mx.random.key(2 ** 32 + 5).tolist()).toEqual([1, 5]);
    expect(mx.random.key(-1).tolist()).toEqual([4294967295, 4294967295]);
    const k = mx.random.key(0);
    // jax.random.split(jax.random.PRNGKey(0))
    expect(mx.random.split(k).tolist()).toEqual([[4146024105, 967050713], [2718843009, 1272950319]]);
    expect(mx.random.split(k, 3).shape).toEqual([3, 2]);
    expect(mx.random.split(k, { num: 4 }).shape).toEqual([4, 2]);
    expect(() => mx.random.split(mx.array([0, 0]))).toThrow(/split: expected a key of dtype uint32, got float32/);
  });
  test('randomBits follows the documented counter layout (even and odd sizes; odd pads the counter with 0, as JAX and MLX)', () => {
    const k = mx.random.key(42);
    for (const n of [1, 2, 3, 4, 7, 10]) {
      const got = vals(mx.random.bits([n], { key: k }));
      expect(got, `n=${n}`).toEqual(Array.from(mx.random.randomBitsHost(0, 42, n)));
    }
  });
  test('bits of width 2 and 1 are the little-endian bytes of the uint32 words', () => {
    const k = mx.random.key(7);
    const w = Array.from(mx.random.randomBitsHost(0, 7, 2));
    const b2 = mx.random.bits([3], 2, k);
    expect(b2.dtype).toBe(mx.uint16);
    expect(b2.tolist()).toEqual([w[0]! & 0xffff, w[0]! >>> 16, w[1]! & 0xffff]);
    const b1 = mx.random.bits([2, 3], { width: 1, key: k });
    expect(b1.dtype).toBe(mx.uint8);
    expect(b1.tolist()).toEqual([
      [w[0]! & 255, (w[0]! >>> 8) & 255, (w[0]! >>> 16) & 255],
      [w[0]! >>> 24, w[1]! & 255, (w[1]! >>> 8) & 255],
    ]);
    expect(() => mx.random.bits([2], 3, k)).toThrow(/bits: bit width must be 1, 2 or 4/);
  });
  test('uniform: MLX algorithm, ranges, dtypes, shapes', () => {
    const k = mx.random.key(0);
    const u = mx.random.uniform({ shape: [1000], key: k });
    expect(u.dtype).toBe(mx.float32);
    const got = vals(u);
    expect(got.every((x) => x >= 0 && x < 1)).toBe(true);
    const words = mx.random.randomBitsHost(0, 0, 1000);
    const expected = Array.from(words, (w) => Math.min(Math.fround(Math.fround(w) / Math.fround(4294967295)), Math.fround(1 - 2 ** -24)));
    expect(got).toEqual(expected.map((x) => Math.fround(x)));
    expect(mx.random.uniform(0, 1, [1000], mx.float32, k).tolist()).toEqual(u.tolist());
    const r = vals(mx.random.uniform(-2, 3, [500], { key: k }));
    expect(r.every((x) => x >= -2 && x < 3)).toBe(true);
    const lohi = mx.random.uniform(mx.array([0, 10]), mx.array([1, 20]), [3, 2], { key: k });
    expect(lohi.shape).toEqual([3, 2]);
    expect(mx.random.uniform({ dtype: mx.float16, shape: [4], key: k }).dtype).toBe(mx.float16);
    expect(mx.random.uniform({ key: k }).shape).toEqual([]);
    expect(() => mx.random.uniform({ dtype: mx.int32 })).toThrow(/uniform: can only generate floating point values/);
    expect(() => mx.random.uniform(mx.array([0, 1, 2]), 1, [2])).toThrow(/uniform: cannot generate random values of shape \[2\]/);
  });
  test('the global key sequence: seed makes draws reproducible, successive draws differ', () => {
    mx.random.seed(3);
    const a = mx.random.uniform({ shape: [4] }).tolist();
    const b = mx.random.uniform({ shape: [4] }).tolist();
    expect(a).not.toEqual(b);
    mx.random.seed(3);
    expect(mx.random.uniform({ shape: [4] }).tolist()).toEqual(a);
    expect(mx.random.uniform({ shape: [4] }).tolist()).toEqual(b);
    // MLX: the first draw after seed(s) uses split(key(s))[1].
    mx.random.seed(3);
    const k1 = mx.index(mx.random.split(mx.random.key(3)), 1);
    expect(mx.random.uniform({ shape: [4] }).tolist()).toEqual(mx.random.uniform({ shape: [4], key: k1 }).tolist());
  });
  test('random.state holds the global key', () => {
    mx.random.seed(4);
    expect(mx.random.state[0]!.tolist()).toEqual([0, 4]);
    const k1 = mx.index(mx.random.split(mx.random.key(4)), 1);
    const before = mx.random.uniform().item();
    expect(before).toEqual(mx.random.uniform({ key: k1 }).item());
    expect(mx.random.state[0]!.tolist()).toEqual(mx.index(mx.random.split(mx.random.key(4)), 0).tolist());
  });
  test('normal: sqrt(2) * erfinv(uniform(-1, 1)), plausible moments, loc/scale', () => {
    const k = mx.random.key(1);
    const x = vals(mx.random.normal([20000], { key: k }));
    const mean = x.reduce((p, v) => p + v, 0) / x.length;
    const variance = x.reduce((p, v) => p + (v - mean) ** 2, 0) / x.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    const y = vals(mx.random.normal({ shape: [20000], loc: 5, scale: 2, key: k }));
    y.forEach((v, i) => expect(v).toBeCloseTo(5 + 2 * x[i]!, 4));
    expect(mx.random.normal([2], mx.bfloat16, { key: k }).dtype).toBe(mx.bfloat16);
  });
  test('randint, bernoulli, truncatedNormal, gumbel, laplace', () => {
    const k = mx.random.key(5);
    const r = mx.random.randint(-3, 4, [2000], { key: k });
    expect(r.dtype).toBe(mx.int32);
    const rv = vals(r);
    expect(rv.every((v) => Number.isInteger(v) && v >= -3 && v < 4)).toBe(true);
    expect(new Set(rv).size).toBe(7);
    expect(mx.random.randint(0, 10, [3], mx.uint8, k).dtype).toBe(mx.uint8);
    expect(() => mx.random.randint(0, 1, [1], mx.float32)).toThrow(/randint: only integer dtypes/);

    const b = mx.random.bernoulli(0.3, [5000], k);
    expect(b.dtype).toBe(mx.bool);
    const frac = vals(b).reduce((p, v) => p + Number(v), 0) / 5000;
    expect(Math.abs(frac - 0.3)).toBeLessThan(0.03);
    expect(mx.random.bernoulli(mx.array([0, 1, 0.5]), { key: k }).shape).toEqual([3]);
    expect(mx.random.bernoulli(mx.array([0, 1]), { key: k }).tolist()).toEqual([false, true]);
    expect(mx.random.bernoulli({ key: k }).shape).toEqual([]);
    expect(() => mx.random.bernoulli(mx.array([1], mx.int32))).toThrow(/bernoulli: the probability p must be a floating point array/);

    const t = vals(mx.random.truncatedNormal(-0.5, 1, [2000], { key: k }));
    expect(t.every((v) => v >= -0.5 && v <= 1)).toBe(true);
    expect(mx.random.truncatedNormal(mx.array([-1, -2]), 1, { key: k }).shape).toEqual([2]);

    const g = mx.random.gumbel([3, 2], { key: k });
    expect(g.shape).toEqual([3, 2]);
    expect(vals(g).every(Number.isFinite)).toBe(true);
    const l = mx.random.laplace([1000], { key: k, loc: 1 });
    expect(vals(l).every(Number.isFinite)).toBe(true);
  });
  test('categorical', () => {
    const k = mx.random.key(9);
    const logits = mx.array([[0, 0, 100], [100, 0, 0]]);
    const c = mx.random.categorical(logits, { key: k });
    expect(c.dtype).toBe(mx.uint32);
    expect(c.tolist()).toEqual([2, 0]);
    const c0 = mx.random.categorical(logits, 0, { key: k }).tolist() as number[];
    expect([c0[0], c0[2]]).toEqual([1, 0]); // column 1 is a fair coin
    expect(mx.random.categorical(logits, { numSamples: 5, key: k }).tolist()).toEqual([[2, 2, 2, 2, 2], [0, 0, 0, 0, 0]]);
    expect(mx.random.categorical(logits, { shape: [4, 2], key: k }).shape).toEqual([4, 2]);
    expect(() => mx.random.categorical(logits, { shape: [2], numSamples: 2 })).toThrow(/categorical: at most one of shape or numSamples/);
    // frequencies follow softmax(logits)
    const lp = mx.array([Math.log(0.2), Math.log(0.8)]);
    const s = vals(mx.random.categorical(lp, { numSamples: 4000, key: k }));
    expect(Math.abs(s.reduce((p, v) => p + v, 0) / 4000 - 0.8)).toBeLessThan(0.03);
  });
  test('permutation', () => {
    const k = mx.random.key(11);
    const p = mx.random.permutation(10, { key: k }).tolist() as number[];
    expect([...p].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const a = iota([4, 2]);
    const q = mx.random.permutation(a, { key: k }).tolist() as number[][];
    expect(q.map((r) => r[0]).sort()).toEqual([0, 2, 4, 6]);
    expect(mx.random.permutation(a, 1, k).shape).toEqual([4, 2]);
    // MLX's order is (x, axis, key): the key positionally is the third argument, and honoured.
    expect(mx.random.permutation(10, 0, k).tolist()).toEqual(p);
    expect(mx.random.permutation(10, -1, k).tolist()).toEqual(p);
    expect(() => mx.random.permutation(10, k as never)).toThrow(/permutation: axis must be an integer, got .*the key is the third argument/);
    expect(() => mx.random.permutation(a, k as never)).toThrow(/permutation: axis must be an integer/);
    expect(() => mx.random.permutation(10, 1, k)).toThrow(/permutation: axis 1 is out of bounds for an array of dimension 1/);
  });
  test('every sampler is deterministic for a key', () => {
    const k = mx.random.key(123);
    for (const f of [
      () => mx.random.uniform({ shape: [5], key: k }),
      () => mx.random.normal({ shape: [5], key: k }),
      () => mx.random.randint(0, 100, [5], { key: k }),
      () => mx.random.gumbel({ shape: [5], key: k }),
      () => mx.random.permutation(5, { key: k }),
    ]) expect(f().tolist()).toEqual(f().tolist());
  });
});
