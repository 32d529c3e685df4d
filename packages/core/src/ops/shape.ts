/**
 * Shape ops: views (reshape, transpose, broadcast, slice) that cost nothing, and the copies built
 * from them (concatenate, stack, tile, repeat, pad).
 */
import { Array } from '../array.js';
import { describeValue } from '../describe.js';
import type { StreamOpt, StreamOrDevice } from '../device.js';
import { promoteTypes, roundToDtype } from '../dtype.js';
import { reshapeNode as reshapeImpl, node } from '../graph.js';
import { isPlainObject } from '../tree.js';
import { broadcastShapes, checkPermutation, checkShape, fmtShape, normalizeAxes, normalizeAxis, shapeEqual, shapeSize } from '../shape.js';
import { array, type ArrayInput, astype, broadcastTo, type OptArgs, parseOpts, toArray } from './convert.js';

type Stream = StreamOrDevice | null | undefined;
const JsArray = globalThis.Array;

function checkInt(fn: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`${fn}: expected ${what} to be an integer, got ${describeValue(v)}`);
  return v;
}

function intList(fn: string, what: string, v: unknown): number[] {
  if (typeof v === 'number') return [checkInt(fn, what, v)];
  if (!JsArray.isArray(v)) throw new Error(`${fn}: expected ${what} to be an integer or a list of integers, got ${describeValue(v)}`);
  return v.map((x) => checkInt(fn, what, x));
}

// ---------------------------------------------------------------------------------------------
// slice

export type SliceBound = number | null | undefined;

/** One axis of a NumPy slice `start:stop:step` over a dimension of size `n`: normalized start, step and length. */
export function sliceIndices(fn: string, n: number, start: SliceBound, stop: SliceBound, step: SliceBound): { start: number; step: number; size: number } {
  const st = step ?? 1;
  if (!Number.isInteger(st)) throw new Error(`${fn}: slice step must be an integer, got ${describeValue(st)}`);
  if (st === 0) throw new Error(`${fn}: slice step cannot be zero`);
  for (const [name, v] of [
    ['start', start],
    ['stop', stop],
  ] as const) {
    if (v != null && !Number.isInteger(v)) throw new Error(`${fn}: slice ${name} must be an integer, got ${describeValue(v)}`);
  }
  const lower = st < 0 ? -1 : 0;
  const upper = st < 0 ? n - 1 : n;
  const clampBound = (v: SliceBound, dflt: number): number => {
    if (v == null) return dflt;
    if (v < 0) return Math.max(v + n, lower);
    return Math.min(v, upper);
  };
  const s = clampBound(start, st < 0 ? upper : lower);
  const e = clampBound(stop, st < 0 ? lower : upper);
  const size = st > 0 ? (e > s ? Math.ceil((e - s) / st) : 0) : s > e ? Math.ceil((s - e) / -st) : 0;
  // The primitive wants in-range starts: an empty slice starts at 0.
  return size === 0 ? { start: 0, step: 1, size: 0 } : { start: s, step: st, size };
}

/**
 * A strided view `a[start[0]:stop[0]:step[0], ...]` with NumPy slice semantics (negative and
 * out-of-range bounds, negative steps; `null`/`undefined` bounds are open). Lists shorter than
 * `a.ndim` leave the remaining axes whole. Costs nothing: the evaluator folds it into strides.
 */
export function sliceArray(
  x: ArrayInput,
  start: readonly SliceBound[],
  stop: readonly SliceBound[],
  step?: readonly SliceBound[] | null,
  stream?: Stream | StreamOpt,
): Array {
  const fn = 'sliceArray';
  const a = toArray(fn, x);
  const s = parseOpts(fn, [stream], []).stream;
  const nd = a.ndim;
  for (const [name, list] of [
    ['start', start],
    ['stop', stop],
    ['step', step ?? []],
  ] as const) {
    if (!JsArray.isArray(list)) throw new Error(`${fn}: expected ${name} to be a list, got ${describeValue(list)}`);
    if (list.length > nd) throw new Error(`${fn}: ${name} has ${list.length} entries for an array of dimension ${nd}`);
  }
  const starts: number[] = [];
  const steps: number[] = [];
  const shape: number[] = [];
  let identity = true;
  for (let i = 0; i < nd; i++) {
    const n = a.shape[i]!;
    const r = sliceIndices(fn, n, start[i], stop[i], step?.[i]);
    starts.push(r.start);
    steps.push(r.step);
    shape.push(r.size);
    if (r.size !== n || (n > 1 && (r.start !== 0 || r.step !== 1))) identity = false;
  }
  if (identity) return a;
  return node('slice', [a], { start: starts, step: steps, shape }, s);
}

// ---------------------------------------------------------------------------------------------
// views

function resolveShape(fn: string, size: number, shape: readonly number[]): number[] {
  let infer = -1;
  let known = 1;
  shape.forEach((d, i) => {
    if (d === -1) {
      if (infer >= 0) throw new Error(`${fn}: can only infer one dimension, got ${fmtShape(shape)}`);
      infer = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new Error(`${fn}: expected a shape of non-negative integers (and at most one -1), got ${describeValue(shape)}`);
    } else known *= d;
  });
  const out = shape.slice();
  if (infer >= 0) {
    if (known === 0 || size % known !== 0) {
      throw new Error(`${fn}: cannot infer the dimension of shape ${fmtShape(shape)} for an array of size ${size}`);
    }
    out[infer] = size / known;
  } else if (known !== size) {
    throw new Error(`${fn}: cannot reshape an array of size ${size} into shape ${fmtShape(shape)}`);
  }
  return out;
}

/** `reshape(a, shape)`: one dimension may be -1 (inferred). A view when `a` is contiguous. */
export function reshape(a: ArrayInput, shape: readonly number[] | number, opts?: StreamOpt): Array {
  const fn = 'reshape';
  const x = toArray(fn, a);
  const s = typeof shape === 'number' ? [shape] : shape;
  if (!JsArray.isArray(s)) throw new Error(`${fn}: expected a shape (a list of integers), got ${describeValue(shape)}`);
  return reshapeImpl(x, resolveShape(fn, x.size, s), parseOpts(fn, [opts], []).stream);
}

/** `transpose(a, axes?)`: permutes the axes (reverses them by default). A view. */
export function transpose(
  a: ArrayInput,
  ...args: OptArgs<[axes?: readonly number[] | null], { axes?: readonly number[] | null; stream?: StreamOrDevice | null }>
): Array {
  const fn = 'transpose';
  const x = toArray(fn, a);
  const o = parseOpts(fn, args, ['axes']);
  const perm = o.axes == null ? [...JsArray(x.ndim).keys()].reverse() : checkPermutation(fn, intList(fn, 'axes', o.axes), x.ndim);
  if (perm.every((p, i) => p === i)) return x;
  return node('transpose', [x], { perm }, o.stream);
}

/** `a` with axes `axis1` and `axis2` exchanged (a view). */
export function swapaxes(a: ArrayInput, axis1: number, axis2: number, opts?: StreamOpt): Array {
  const fn = 'swapaxes';
  const x = toArray(fn, a);
  const i = normalizeAxis(fn, checkInt(fn, 'axis1', axis1), x.ndim);
  const j = normalizeAxis(fn, checkInt(fn, 'axis2', axis2), x.ndim);
  const perm = [...JsArray(x.ndim).keys()];
  perm[i] = j;
  perm[j] = i;
  return transpose(x, perm, { stream: parseOpts(fn, [opts], []).stream ?? undefined });
}

/** `moveaxis(a, source, destination)`: integers, or lists of equal length as in NumPy. */
export function moveaxis(a: ArrayInput, source: number | readonly number[], destination: number | readonly number[], opts?: StreamOpt): Array {
  const fn = 'moveaxis';
  const x = toArray(fn, a);
  const src = intList(fn, 'source', source).map((s) => normalizeAxis(fn, s, x.ndim));
  const dst = intList(fn, 'destination', destination).map((d) => normalizeAxis(fn, d, x.ndim));
  if (src.length !== dst.length) throw new Error(`${fn}: source and destination need the same number of axes, got ${src.length} and ${dst.length}`);
  if (new Set(src).size !== src.length || new Set(dst).size !== dst.length)
    throw new Error(`${fn}: repeated axis in source ${describeValue(source)} or destination ${describeValue(destination)}`);
  const rest = [...JsArray(x.ndim).keys()].filter((i) => !src.includes(i));
  const perm = new JsArray<number>(x.ndim);
  const pairs = src.map((s, k) => [dst[k]!, s] as const).sort((p, q) => p[0] - q[0]);
  for (const [d, s] of pairs) perm[d] = s;
  let r = 0;
  for (let i = 0; i < x.ndim; i++) if (perm[i] === undefined) perm[i] = rest[r++]!;
  return transpose(x, perm, { stream: parseOpts(fn, [opts], []).stream ?? undefined });
}

/** `expandDims(a, axis)`: inserts size-1 axes at the given positions of the output. A view. */
export function expandDims(a: ArrayInput, axis: number | readonly number[], opts?: StreamOpt): Array {
  const fn = 'expandDims';
  const x = toArray(fn, a);
  const list = intList(fn, 'axis', axis);
  const outNdim = x.ndim + list.length;
  const axes = normalizeAxes(fn, list, outNdim);
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < outNdim; i++) shape.push(axes.includes(i) ? 1 : x.shape[k++]!);
  return reshapeImpl(x, shape, parseOpts(fn, [opts], []).stream);
}

/** `squeeze(a, axis?)`: removes the given size-1 axes (all of them by default). A view. */
export function squeeze(
  a: ArrayInput,
  ...args: OptArgs<[axis?: number | readonly number[] | null], { axis?: number | readonly number[] | null; stream?: StreamOrDevice | null }>
): Array {
  const fn = 'squeeze';
  const x = toArray(fn, a);
  const o = parseOpts(fn, args, ['axis'], { axis: 'ints' });
  let axes: number[];
  if (o.axis == null) axes = x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  else {
    axes = normalizeAxes(fn, o.axis, x.ndim);
    for (const ax of axes) {
      if (x.shape[ax] !== 1)
        throw new Error(`${fn}: cannot squeeze axis ${ax} of size ${x.shape[ax]} (shape ${fmtShape(x.shape)}); only size-1 axes can be squeezed`);
    }
  }
  return reshapeImpl(
    x,
    x.shape.filter((_, i) => !axes.includes(i)),
    o.stream,
  );
}

/** `flatten(a, startAxis=0, endAxis=-1)`: merges the axes from startAxis to endAxis. A 0-d array becomes shape [1]. */
export function flatten(
  a: ArrayInput,
  ...args: OptArgs<[startAxis?: number, endAxis?: number], { startAxis?: number; endAxis?: number; stream?: StreamOrDevice | null }>
): Array {
  const fn = 'flatten';
  const x = toArray(fn, a);
  const o = parseOpts(fn, args, ['startAxis', 'endAxis']);
  if (x.ndim === 0) return reshapeImpl(x, [1], o.stream);
  const s = normalizeAxis(fn, o.startAxis ?? 0, x.ndim);
  const e = normalizeAxis(fn, o.endAxis ?? -1, x.ndim);
  if (s > e) throw new Error(`${fn}: startAxis ${o.startAxis ?? 0} must not come after endAxis ${o.endAxis ?? -1} for an array of dimension ${x.ndim}`);
  const shape = [...x.shape.slice(0, s), shapeSize(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshapeImpl(x, shape, o.stream);
}

/** `broadcastArrays(...arrays)`: broadcasts to the common shape (dtypes kept). A trailing `{ stream }` is allowed. */
export function broadcastArrays(...arrays: (ArrayInput | StreamOpt)[]): Array[] {
  const fn = 'broadcastArrays';
  let stream: Stream;
  const last = arrays[arrays.length - 1];
  let list = arrays;
  if (last !== undefined && typeof last === 'object' && !(last instanceof Array) && !JsArray.isArray(last) && !ArrayBuffer.isView(last)) {
    stream = parseOpts(fn, [last], []).stream;
    list = arrays.slice(0, -1);
  }
  const xs = list.map((x) => toArray(fn, x as ArrayInput));
  const shape = broadcastShapes(fn, ...xs.map((x) => x.shape));
  return xs.map((x) => broadcastTo(x, shape, stream));
}

// ---------------------------------------------------------------------------------------------
// joining and splitting

function arrayList(fn: string, arrays: readonly ArrayInput[]): Array[] {
  if (!JsArray.isArray(arrays)) throw new Error(`${fn}: expected a list of arrays, got ${describeValue(arrays)}`);
  if (arrays.length === 0) throw new Error(`${fn}: expected at least one array, got an empty list`);
  const xs = arrays.map((x) => toArray(fn, x));
  let dt = xs[0]!.dtype;
  for (const x of xs) dt = promoteTypes(dt, x.dtype);
  return xs.map((x) => astype(x, dt));
}

/** `concatenate(arrays, axis=0)`: dtypes promote; `axis: null` flattens every array first. */
export function concatenate(
  arrays: readonly ArrayInput[],
  ...args: OptArgs<[axis?: number | null], { axis?: number | null; stream?: StreamOrDevice | null }>
): Array {
  const fn = 'concatenate';
  const o = parseOpts(fn, args, ['axis']);
  let xs = arrayList(fn, arrays);
  let axis: number;
  if (o.axis === null) {
    xs = xs.map((x) => reshapeImpl(x, [x.size], o.stream));
    axis = 0;
  } else {
    const ref = xs[0]!;
    if (ref.ndim === 0) throw new Error(`${fn}: zero-dimensional arrays cannot be concatenated`);
    axis = normalizeAxis(fn, o.axis ?? 0, ref.ndim);
    for (const x of xs) {
      if (x.ndim !== ref.ndim || x.shape.some((d, i) => i !== axis && d !== ref.shape[i])) {
        throw new Error(
          `${fn}: all the input array dimensions except the concatenation axis ${axis} must match, got shapes ${xs.map((y) => fmtShape(y.shape)).join(', ')}`,
        );
      }
    }
  }
  if (xs.length === 1) return xs[0]!;
  return node('concatenate', xs, { axis }, o.stream);
}

/** `stack(arrays, axis=0)`: joins arrays of one shape along a new axis. */
export function stack(arrays: readonly ArrayInput[], ...args: OptArgs<[axis?: number], { axis?: number; stream?: StreamOrDevice | null }>): Array {
  const fn = 'stack';
  const o = parseOpts(fn, args, ['axis']);
  const xs = arrayList(fn, arrays);
  const ref = xs[0]!;
  for (const x of xs) {
    if (!shapeEqual(x.shape, ref.shape)) throw new Error(`${fn}: all arrays must have the same shape, got ${xs.map((y) => fmtShape(y.shape)).join(', ')}`);
  }
  const axis = normalizeAxis(fn, o.axis ?? 0, ref.ndim + 1);
  const s = o.stream ?? undefined;
  return concatenate(
    xs.map((x) => expandDims(x, axis, { stream: s })),
    axis,
    { stream: s },
  );
}

/**
 * `split(a, indicesOrSections, axis=0)`: a number splits into that many equal parts (which must
 * divide the axis); a list gives the indices where parts start, as NumPy's `split`.
 */
export function split(
  a: ArrayInput,
  indicesOrSections: number | readonly number[],
  ...args: OptArgs<[axis?: number], { axis?: number; stream?: StreamOrDevice | null }>
): Array[] {
  const fn = 'split';
  const x = toArray(fn, a);
  const o = parseOpts(fn, args, ['axis']);
  if (x.ndim === 0) throw new Error(`${fn}: cannot split a zero-dimensional array`);
  const axis = normalizeAxis(fn, o.axis ?? 0, x.ndim);
  const n = x.shape[axis]!;
  let bounds: number[];
  if (typeof indicesOrSections === 'number') {
    const k = checkInt(fn, 'the number of sections', indicesOrSections);
    if (k <= 0) throw new Error(`${fn}: the number of sections must be positive, got ${k}`);
    if (n % k !== 0) throw new Error(`${fn}: cannot split an axis of size ${n} into ${k} equal parts`);
    bounds = [...JsArray(k - 1).keys()].map((i) => ((i + 1) * n) / k);
  } else {
    bounds = intList(fn, 'indices', indicesOrSections);
  }
  const edges = [0, ...bounds, n];
  const out: Array[] = [];
  for (let i = 0; i + 1 < edges.length; i++) {
    const start: SliceBound[] = JsArray(x.ndim).fill(null);
    const stop: SliceBound[] = JsArray(x.ndim).fill(null);
    start[axis] = edges[i]!;
    stop[axis] = edges[i + 1]!;
    // NumPy: a stop before its start gives an empty part.
    out.push(sliceArray(x, start, stop, null, o.stream));
  }
  return out;
}

/** `tile(a, reps)`: NumPy's tile. */
export function tile(a: ArrayInput, reps: number | readonly number[], opts?: StreamOpt): Array {
  const fn = 'tile';
  const x = toArray(fn, a);
  const s = parseOpts(fn, [opts], []).stream;
  const r = intList(fn, 'reps', reps);
  if (r.some((v) => v < 0)) throw new Error(`${fn}: reps must be non-negative, got ${describeValue(reps)}`);
  const nd = Math.max(x.ndim, r.length);
  const shape = [...JsArray(nd - x.ndim).fill(1), ...x.shape];
  const rr = [...JsArray(nd - r.length).fill(1), ...r];
  if (rr.every((v) => v === 1)) return reshapeImpl(x, shape, s);
  // The result's size is checked under tile's name before the broadcast that builds it.
  checkShape(
    fn,
    shape.map((d, i) => d * rr[i]!),
  );
  const expanded = reshapeImpl(
    x,
    shape.flatMap((d) => [1, d]),
    s,
  );
  const b = broadcastTo(
    expanded,
    shape.flatMap((d, i) => [rr[i]!, d]),
    s,
  );
  return reshapeImpl(
    b,
    shape.map((d, i) => d * rr[i]!),
    s,
  );
}

/** `repeat(a, repeats, axis?)`: repeats each element; without an axis, of the flattened array. */
export function repeat(
  a: ArrayInput,
  repeats: number,
  ...args: OptArgs<[axis?: number | null], { axis?: number | null; stream?: StreamOrDevice | null }>
): Array {
  const fn = 'repeat';
  let x = toArray(fn, a);
  const o = parseOpts(fn, args, ['axis']);
  const r = checkInt(fn, 'repeats', repeats);
  if (r < 0) throw new Error(`${fn}: repeats must be non-negative, got ${r}`);
  if (o.axis == null) {
    x = reshapeImpl(x, [x.size], o.stream);
  }
  const axis = o.axis == null ? 0 : normalizeAxis(fn, o.axis, x.ndim);
  const sh = x.shape;
  const expanded = reshapeImpl(x, [...sh.slice(0, axis + 1), 1, ...sh.slice(axis + 1)], o.stream);
  const b = broadcastTo(expanded, [...sh.slice(0, axis + 1), r, ...sh.slice(axis + 1)], o.stream);
  return reshapeImpl(b, [...sh.slice(0, axis), sh[axis]! * r, ...sh.slice(axis + 1)], o.stream);
}

export type PadWidth = number | readonly [number] | readonly [number, number] | readonly (readonly [number, number] | readonly number[])[];

function padWidths(fn: string, padWidth: unknown, ndim: number): [number[], number[]] {
  let pairs: number[][];
  const bad = (): never => {
    throw new Error(`${fn}: expected padWidth to be an integer, [before, after], or one [before, after] per axis (${ndim}), got ${describeValue(padWidth)}`);
  };
  if (typeof padWidth === 'number') pairs = JsArray.from({ length: ndim }, () => [padWidth, padWidth]);
  else if (JsArray.isArray(padWidth)) {
    if (padWidth.every((p) => typeof p === 'number')) {
      if (padWidth.length === 1) pairs = JsArray.from({ length: ndim }, () => [padWidth[0]!, padWidth[0]!]);
      else if (padWidth.length === 2) pairs = JsArray.from({ length: ndim }, () => [padWidth[0]!, padWidth[1]!]);
      else return bad();
    } else if (padWidth.every((p) => JsArray.isArray(p))) {
      pairs = padWidth.map((p: number[]) => (p.length === 1 ? [p[0]!, p[0]!] : p.length === 2 ? p : bad()));
      if (pairs.length === 1 && ndim !== 1) pairs = JsArray.from({ length: ndim }, () => pairs[0]!);
      if (pairs.length !== ndim) {
        throw new Error(`${fn}: got ${pairs.length} [before, after] pairs for an array of dimension ${ndim}`);
      }
    } else return bad();
  } else return bad();
  for (const [i, [lo, hi]] of pairs.entries()) {
    if (!Number.isInteger(lo) || !Number.isInteger(hi)) bad();
    if (lo! < 0 || hi! < 0) throw new Error(`${fn}: padding sizes must be non-negative, got [${lo}, ${hi}] for axis ${i}`);
  }
  return [pairs.map((p) => p[0]!), pairs.map((p) => p[1]!)];
}

export interface PadOpts {
  mode?: 'constant' | 'edge';
  constantValues?: number | boolean | Array;
  stream?: StreamOrDevice | null;
}

/** `pad(a, padWidth, mode='constant', constantValues=0)`: MLX's pad ('constant' or 'edge'). */
export function pad(
  a: ArrayInput,
  padWidth: PadWidth,
  ...args: OptArgs<[mode?: 'constant' | 'edge', constantValues?: number | boolean | Array], PadOpts>
): Array {
  const fn = 'pad';
  const x = toArray(fn, a);
  const o = parseOpts(fn, args, ['mode', 'constantValues']);
  const [low, high] = padWidths(fn, padWidth, x.ndim);
  const mode = o.mode ?? 'constant';
  const s = o.stream;
  if (low.every((v) => v === 0) && high.every((v) => v === 0)) return x;
  if (mode === 'constant') {
    const cv = o.constantValues ?? 0;
    if (typeof cv === 'number' || typeof cv === 'boolean') {
      return node('pad', [x], { low, high, value: roundToDtype(Number(cv), x.dtype) }, s);
    }
    if (!(cv instanceof Array) || cv.size !== 1)
      throw new Error(`${fn}: expected constantValues to be a number or a one-element Array, got ${describeValue(cv)}`);
    // An Array value (perhaps traced): pad with zeros and select the value outside the input.
    const padded = node('pad', [x], { low, high, value: 0 }, s);
    const mask = node('pad', [broadcastTo(array(true), x.shape, s)], { low, high, value: 0 }, s);
    const value = broadcastTo(reshapeImpl(astype(cv, x.dtype, s), [], s), padded.shape, s);
    return node('where', [mask, padded, value], {}, s);
  }
  // mode is 'edge' (parseOpts admits only the two).
  let y = x;
  for (let ax = 0; ax < x.ndim; ax++) {
    if (low[ax] === 0 && high[ax] === 0) continue;
    const n = y.shape[ax]!;
    if (n === 0) throw new Error(`${fn}: cannot edge-pad axis ${ax} of size 0`);
    const parts: Array[] = [];
    const edge = (i: number, width: number): Array => {
      const start: SliceBound[] = JsArray(y.ndim).fill(null);
      const stop: SliceBound[] = JsArray(y.ndim).fill(null);
      start[ax] = i;
      stop[ax] = i + 1;
      const e = sliceArray(y, start, stop, null, s);
      const shape = y.shape.slice();
      shape[ax] = width;
      return broadcastTo(e, shape, s);
    };
    if (low[ax]! > 0) parts.push(edge(0, low[ax]!));
    parts.push(y);
    if (high[ax]! > 0) parts.push(edge(n - 1, high[ax]!));
    y = node('concatenate', parts, { axis: ax }, s);
  }
  return y;
}

// ---------------------------------------------------------------------------------------------
// atleast

function atleast(fn: string, nd: 1 | 2 | 3, arrays: readonly (ArrayInput | StreamOpt | undefined)[]): Array | Array[] {
  let list = arrays.filter((x) => x !== undefined);
  let stream: Stream;
  const last = list[list.length - 1];
  if (last !== undefined && typeof last === 'object' && !(last instanceof Array) && !JsArray.isArray(last) && !ArrayBuffer.isView(last)) {
    stream = parseOpts(fn, [last], []).stream;
    list = list.slice(0, -1);
  }
  const out = list.map((v) => {
    const x = toArray(fn, v as ArrayInput);
    if (x.ndim >= nd) return x;
    let shape: number[];
    if (nd === 1) shape = [1];
    else if (nd === 2) shape = x.ndim === 0 ? [1, 1] : [1, ...x.shape];
    else shape = x.ndim === 0 ? [1, 1, 1] : x.ndim === 1 ? [1, x.shape[0]!, 1] : [...x.shape, 1];
    return reshapeImpl(x, shape, stream);
  });
  return out.length === 1 ? out[0]! : out;
}

/** `atleast1d(a)` -> Array; `atleast1d(a, b, ...)` -> Array[] (as MLX). */
export function atleast1d(a: ArrayInput, opts?: StreamOpt): Array;
export function atleast1d(...arrays: (ArrayInput | StreamOpt)[]): Array | Array[];
export function atleast1d(...arrays: (ArrayInput | StreamOpt | undefined)[]): Array | Array[] {
  return atleast('atleast1d', 1, arrays);
}
/** `atleast2d(a)` -> Array; `atleast2d(a, b, ...)` -> Array[] (as MLX). */
export function atleast2d(a: ArrayInput, opts?: StreamOpt): Array;
export function atleast2d(...arrays: (ArrayInput | StreamOpt)[]): Array | Array[];
export function atleast2d(...arrays: (ArrayInput | StreamOpt | undefined)[]): Array | Array[] {
  return atleast('atleast2d', 2, arrays);
}
/** `atleast3d(a)` -> Array; `atleast3d(a, b, ...)` -> Array[] (as MLX). */
export function atleast3d(a: ArrayInput, opts?: StreamOpt): Array;
export function atleast3d(...arrays: (ArrayInput | StreamOpt)[]): Array | Array[];
export function atleast3d(...arrays: (ArrayInput | StreamOpt | undefined)[]): Array | Array[] {
  return atleast('atleast3d', 3, arrays);
}

export { broadcastTo };

/**
 * MLX's `roll(a, shift, axis = None)`: elements shifted along `axis` (one or several, with one shift
 * each or one shift for all), wrapping around; with no axis the flattened array is rolled and the
 * shape kept. A composition of two slices and a concatenation per axis, so every transform has it.
 */
export function roll(
  a: ArrayInput,
  shift: number | readonly number[],
  ...args: OptArgs<[axis?: number | readonly number[] | null], { axis?: number | readonly number[] | null; stream?: StreamOrDevice | null }>
): Array {
  const fn = 'roll';
  const x = toArray(fn, a);
  const o = parseOpts(fn, args, ['axis'], { axis: 'ints' });
  const shifts = typeof shift === 'number' ? [shift] : JsArray.isArray(shift) ? shift.slice() : null;
  if (shifts === null || !shifts.every((s) => Number.isInteger(s)))
    throw new Error(`${fn}: expected shift to be an integer or a list of integers, got ${describeValue(shift)}`);
  if (o.axis == null) {
    if (shifts.length !== 1) throw new Error(`${fn}: without an axis, shift must be one integer, got ${describeValue(shift)}`);
    return reshapeImpl(rollAxis(reshapeImpl(x, [x.size], o.stream), shifts[0]!, 0, o.stream), x.shape, o.stream);
  }
  const axes = (typeof o.axis === 'number' ? [o.axis] : (o.axis as number[])).map((ax) => normalizeAxis(fn, ax, x.ndim));
  if (shifts.length !== 1 && shifts.length !== axes.length) throw new Error(`${fn}: ${shifts.length} shifts for ${axes.length} axes`);
  return axes.reduce((y, ax, i) => rollAxis(y, shifts[shifts.length === 1 ? 0 : i]!, ax, o.stream), x);
}

function rollAxis(x: Array, shift: number, axis: number, s: Stream): Array {
  const n = x.shape[axis]!;
  const k = n === 0 ? 0 : ((shift % n) + n) % n;
  if (k === 0) return x;
  const part = (from: number, to: number) =>
    sliceArray(
      x,
      x.shape.map((_, i) => (i === axis ? from : 0)),
      x.shape.map((d, i) => (i === axis ? to : d)),
      null,
      s,
    );
  return node('concatenate', [part(n - k, n), part(0, n - k)], { axis }, s);
}

/**
 * MLX's `meshgrid(*arrays, sparse = False, indexing = 'xy')`: coordinate arrays from 1-D ones (any
 * input is flattened). `'xy'` swaps the first two output axes (Cartesian), `'ij'` keeps matrix
 * order; `sparse` returns views shaped to broadcast instead of full grids.
 */
export function meshgrid(...args: (ArrayInput | { sparse?: boolean; indexing?: 'xy' | 'ij'; stream?: StreamOrDevice | null })[]): Array[] {
  const fn = 'meshgrid';
  const last = args[args.length - 1];
  const opts = isPlainObject(last) ? parseOpts(fn, [args.pop()], ['sparse', 'indexing'], { sparse: 'bool', indexing: ['xy', 'ij'] }) : {};
  const sparse: boolean = opts.sparse ?? false;
  const indexing: 'xy' | 'ij' = opts.indexing ?? 'xy';
  const s = opts.stream;
  const xs = (args as ArrayInput[]).map((a) => {
    const x = toArray(fn, a);
    return reshapeImpl(x, [x.size], s);
  });
  const nd = xs.length;
  const sizes = xs.map((x) => x.shape[0]!);
  // 'xy': the first two inputs index the second and first output axes.
  const place = (i: number): number => (indexing === 'xy' && nd >= 2 && i < 2 ? 1 - i : i);
  const outShape = indexing === 'xy' && nd >= 2 ? [sizes[1]!, sizes[0]!, ...sizes.slice(2)] : sizes;
  return xs.map((x, i) => {
    const shape = outShape.map((_, d) => (d === place(i) ? sizes[i]! : 1));
    const v = reshapeImpl(x, shape, s);
    return sparse ? v : broadcastTo(v, outShape, s);
  });
}
