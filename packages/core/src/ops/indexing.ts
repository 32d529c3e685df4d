/**
 * Indexing: take, takeAlongAxis, putAlongAxis, NumPy/MLX indexing (`index(a, 0, '1:3', null, idx)`)
 * and functional updates (`at(a, idx).add(v)`, MLX's `a.at[idx].add(v)`).
 *
 * Everything is composed from views (slice, reshape, transpose, broadcastTo) and one gather or
 * scatter: several index arrays are linearized into one index over their merged axes.
 */
import { Array } from '../array.js';
import { describeValue } from '../describe.js';
import type { StreamOrDevice } from '../device.js';
import { Dtype, float32, int32 } from '../dtype.js';
import { reshapeNode as reshapeV, transposeNode as transposeV, node } from '../graph.js';
import { isPlainObject } from '../tree.js';
import type { BinarySameDtype, ScatterMode } from '../ir/primitives.js';
import { broadcastShapes, fmtShape, invertPerm, normalizeAxis, shapeEqual, shapeSize } from '../shape.js';
import { type ArrayInput, array, astype, broadcastTo, checkStream, fromHostData, type NestedArrayLike, parseOpts, toArray } from './convert.js';
import { type SliceBound, sliceArray, sliceIndices } from './shape.js';

type Stream = StreamOrDevice | null | undefined;

// ---------------------------------------------------------------------------------------------
// Small view and integer helpers (nodes built directly; arguments are already checked here).

function intConst(v: number, stream: Stream): Array {
  return array(v, int32, { stream: stream ?? undefined });
}

/** An integer binary op with broadcasting; both inputs are int32. */
function ibin(fn: string, prim: 'add' | 'multiply' | 'maximum' | 'minimum', a: Array, b: Array, stream: Stream): Array {
  const shape = broadcastShapes(fn, a.shape, b.shape);
  return node(prim, [broadcastTo(a, shape, stream), broadcastTo(b, shape, stream)], {}, stream);
}

/** Wraps negative indices once and clamps into [0, n): the gather contract, applied before linearizing. */
function normalizeIndexArray(fn: string, idx: Array, n: number, stream: Stream): Array {
  let i = astype(idx, int32, stream);
  if (idx.dtype.kind === 'int') {
    const isNeg = node('less', [i, broadcastTo(intConst(0, stream), i.shape, stream)], {}, stream);
    i = node('where', [isNeg, ibin(fn, 'add', i, intConst(n, stream), stream), i], {}, stream);
  }
  i = ibin(fn, 'maximum', i, intConst(0, stream), stream);
  return ibin(fn, 'minimum', i, intConst(n - 1, stream), stream);
}

// ---------------------------------------------------------------------------------------------
// Index arguments.

/** A slice as an object: `{ start, stop, step }` with Python's defaults for missing fields. */
export interface SliceSpec {
  start?: number | null;
  stop?: number | null;
  step?: number | null;
}

/**
 * One index of `index`/`at`: an integer, a slice string (`':'`, `'1:3'`, `'::-1'`, `'-2:'`),
 * `'...'` (Ellipsis), `null` (a new axis of size 1), an integer Array, or a (nested) JS array of
 * integers. Boolean masks are not supported (nor are they in MLX).
 */
export type IndexArg = number | string | null | SliceSpec | Array | readonly NestedArrayLike[] | ArrayBufferView;

type Entry =
  | { k: 'int'; v: number; axis: number }
  | { k: 'slice'; start: number; step: number; n: number; full: boolean; axis: number; spec: SliceSpec }
  | { k: 'none' }
  | { k: 'array'; arr: Array; host: boolean; axis: number };

const sliceKeys = new Set(['start', 'stop', 'step']);
function isSliceSpec(x: unknown): x is SliceSpec {
  return isPlainObject(x) && Object.keys(x).every((k) => sliceKeys.has(k));
}

const sliceRe = /^\s*([+-]?\d+)?\s*:\s*([+-]?\d+)?\s*(?::\s*([+-]?\d+)?\s*)?$/;

function parseSliceString(fn: string, s: string): SliceSpec {
  const m = sliceRe.exec(s);
  if (!m) {
    throw new Error(`${fn}: expected a slice string like ':', '1:3', '::-1' or '...', got '${s}'`);
  }
  const num = (t: string | undefined): number | null => (t === undefined ? null : Number(t));
  return { start: num(m[1]), stop: num(m[2]), step: num(m[3]) };
}

/** Python's slice.indices: the start, step and length of a slice of an axis of size n. */
function normalizeSlice(fn: string, spec: SliceSpec, n: number): { start: number; step: number; n: number } {
  const r = sliceIndices(fn, n, spec.start, spec.stop, spec.step);
  return { start: r.start, step: r.step, n: r.size };
}

/** A JS (nested) array or typed array of integers as an int32 Array, negative indices wrapped and bounds checked. */
function hostIndexArray(fn: string, x: readonly NestedArrayLike[] | ArrayBufferView, axisSize: number, what: string, stream: Stream): Array {
  const flat: number[] = [];
  let shape: number[];
  if (ArrayBuffer.isView(x)) {
    if (x instanceof Float32Array || x instanceof Float64Array) {
      throw new Error(`${fn}: expected integer indices, got a ${x.constructor.name}`);
    }
    const t = x as unknown as ArrayLike<number | bigint>;
    for (let i = 0; i < t.length; i++) flat.push(Number(t[i]));
    shape = [t.length];
  } else {
    shape = [];
    let level: unknown = x;
    while (globalThis.Array.isArray(level)) {
      shape.push(level.length);
      if (level.length === 0) break;
      level = level[0];
    }
    const walk = (v: unknown, depth: number): void => {
      if (depth === shape.length) {
        if (typeof v === 'boolean') {
          throw new Error(
            `${fn}: boolean index arrays are not supported (MLX does not support boolean masks either); use mx.where, or compute integer indices`,
          );
        }
        if (typeof v !== 'number' || !Number.isInteger(v)) {
          throw new Error(`${fn}: expected integers in an index array, got ${describeValue(v)}`);
        }
        flat.push(v);
        return;
      }
      if (!globalThis.Array.isArray(v) || v.length !== shape[depth]) {
        throw new Error(`${fn}: ragged index array: expected length ${shape[depth]} at depth ${depth}, got ${describeValue(v)}`);
      }
      for (const e of v) walk(e, depth + 1);
    };
    walk(x, 0);
  }
  const data = new Int32Array(flat.length);
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i]!;
    if (!Number.isInteger(v)) throw new Error(`${fn}: expected integer indices, got ${v}`);
    const w = v < 0 ? v + axisSize : v;
    if (w < 0 || w >= axisSize) {
      throw new Error(`${fn}: index ${v} is out of bounds for ${what} with size ${axisSize}`);
    }
    data[i] = w;
  }
  return fromHostData(data, shape, int32, stream);
}

function checkIndexDtype(fn: string, d: Dtype): void {
  if (d.kind === 'bool') {
    throw new Error(`${fn}: boolean index arrays are not supported (MLX does not support boolean masks either); use mx.where, or compute integer indices`);
  }
  if (!d.isInteger) {
    throw new Error(
      `${fn}: expected an integer index array, got dtype ${d.name} (JS numbers make float32 arrays: use mx.array(values, mx.int32), or pass the JS array itself)`,
    );
  }
}

function checkInt(fn: string, v: number, n: number, axis: number): number {
  if (!Number.isInteger(v)) throw new Error(`${fn}: expected an integer index, got ${v}`);
  const w = v < 0 ? v + n : v;
  if (w < 0 || w >= n) throw new Error(`${fn}: index ${v} is out of bounds for axis ${axis} with size ${n}`);
  return w;
}

/** Splits a trailing `{ stream }` off the index arguments. */
function splitStream(fn: string, idx: readonly IndexArg[]): [IndexArg[], Stream] {
  const last = idx[idx.length - 1];
  if (isPlainObject(last) && 'stream' in last) {
    for (const k of Object.keys(last)) {
      if (k !== 'stream') throw new Error(`${fn}: unknown option '${k}' in the trailing options object (expected stream)`);
    }
    return [idx.slice(0, -1), checkStream(fn, last.stream)];
  }
  return [idx.slice(), undefined];
}

/** Expands Ellipsis and turns each index argument into an Entry bound to its axis. */
function parseIndex(fn: string, shape: readonly number[], raw: readonly IndexArg[], stream: Stream): Entry[] {
  const ndim = shape.length;
  let ellipsis = -1;
  let consuming = 0;
  raw.forEach((x, i) => {
    if (x === '...') {
      if (ellipsis >= 0) throw new Error(`${fn}: an index can only have a single ellipsis ('...')`);
      ellipsis = i;
    } else if (x !== null) consuming++;
  });
  if (consuming > ndim) {
    throw new Error(`${fn}: too many indices for an array of dimension ${ndim}: ${consuming} were given`);
  }
  const items: (IndexArg | { full: true })[] = [];
  for (let i = 0; i < raw.length; i++) {
    if (i === ellipsis) for (let j = 0; j < ndim - consuming; j++) items.push({ full: true });
    else items.push(raw[i]!);
  }
  if (ellipsis < 0) for (let j = 0; j < ndim - consuming; j++) items.push({ full: true });

  const entries: Entry[] = [];
  let axis = 0;
  for (const x of items) {
    if (x === null) {
      entries.push({ k: 'none' });
      continue;
    }
    const n = shape[axis]!;
    if (
      typeof x === 'object' &&
      !(x instanceof Array) &&
      !globalThis.Array.isArray(x) &&
      !ArrayBuffer.isView(x) &&
      'full' in x &&
      (x as { full: unknown }).full === true
    ) {
      entries.push({ k: 'slice', start: 0, step: 1, n, full: true, axis, spec: {} });
    } else if (typeof x === 'number') {
      entries.push({ k: 'int', v: checkInt(fn, x, n, axis), axis });
    } else if (typeof x === 'string' || isSliceSpec(x)) {
      const spec = typeof x === 'string' ? parseSliceString(fn, x) : x;
      const s = normalizeSlice(fn, spec, n);
      entries.push({ k: 'slice', ...s, full: s.start === 0 && s.step === 1 && s.n === n, axis, spec });
    } else if (x instanceof Array) {
      checkIndexDtype(fn, x.dtype);
      if (n === 0 && x.size > 0) throw new Error(`${fn}: cannot index axis ${axis} of size 0 with a non-empty index array`);
      entries.push({ k: 'array', arr: x, host: false, axis });
    } else if (globalThis.Array.isArray(x) || ArrayBuffer.isView(x)) {
      const arr = hostIndexArray(fn, x as readonly NestedArrayLike[] | ArrayBufferView, n, `axis ${axis}`, stream);
      entries.push({ k: 'array', arr, host: true, axis });
    } else if (typeof x === 'boolean') {
      throw new Error(`${fn}: boolean indices are not supported (MLX does not support boolean masks either)`);
    } else {
      throw new Error(`${fn}: expected an index (an integer, a slice string like '1:3', '...', null, or an integer array), got ${describeValue(x)}`);
    }
    axis++;
  }
  return entries;
}

const isAdvanced = (e: Entry): boolean => e.k === 'int' || e.k === 'array';

/**
 * Whether the advanced-index dimensions go first (NumPy's rule: when advanced indices are not
 * adjacent, i.e. separated by a slice or a new axis).
 */
function advancedFirst(entries: readonly Entry[]): boolean {
  let haveAdv = false;
  let haveNon = false;
  for (const e of entries) {
    if (isAdvanced(e)) {
      if (haveAdv && haveNon) return true;
      haveAdv = true;
    } else haveNon ||= haveAdv;
  }
  return false;
}

interface Plan {
  hasArray: boolean;
  first: boolean;
  /** Broadcast shape of the index arrays. */
  b: number[];
  /** The result's shape. */
  shape: number[];
}

function planIndex(fn: string, entries: readonly Entry[]): Plan {
  const arrays = entries.filter((e): e is Extract<Entry, { k: 'array' }> => e.k === 'array');
  const hasArray = arrays.length > 0;
  const b = hasArray ? broadcastShapes(fn, ...arrays.map((e) => e.arr.shape)) : [];
  const first = hasArray && advancedFirst(entries);
  const shape: number[] = first ? [...b] : [];
  let placed = first;
  for (const e of entries) {
    if (e.k === 'slice') shape.push(e.n);
    else if (e.k === 'none') shape.push(1);
    else if (hasArray && !placed) {
      shape.push(...b);
      placed = true;
    }
  }
  return { hasArray, first, b, shape };
}

/** Applies the slices and integer indices of `entries` as one slice view, then drops the integer axes. */
function basicViews(a: Array, entries: readonly Entry[], stream: Stream): Array {
  const start: SliceBound[] = a.shape.map(() => null);
  const stop: SliceBound[] = a.shape.map(() => null);
  const step: SliceBound[] = a.shape.map(() => null);
  for (const e of entries) {
    if (e.k === 'slice') {
      start[e.axis] = e.spec.start;
      stop[e.axis] = e.spec.stop;
      step[e.axis] = e.spec.step;
    } else if (e.k === 'int') {
      start[e.axis] = e.v;
      stop[e.axis] = e.v + 1;
    }
  }
  let v = sliceArray(a, start, stop, step, stream);
  const kept = entries.filter((e): e is Extract<Entry, { k: 'slice' | 'array' }> => e.k === 'slice' || e.k === 'array');
  if (kept.length !== a.ndim)
    v = reshapeV(
      v,
      kept.map((e) => v.shape[e.axis]!),
      stream,
    );
  return v;
}

/**
 * The linear index into the merged axes `comps` (in axis order, each with its size), broadcast
 * to `shape`. Each component is an int32 array already placed in `shape`'s dimensions.
 */
function linearize(fn: string, comps: readonly { idx: Array; size: number }[], shape: readonly number[], stream: Stream): Array {
  const total = comps.reduce((p, c) => p * c.size, 1);
  if (total > 2147483647) throw new Error(`${fn}: the indexed axes hold ${total} elements, more than an int32 index can address`);
  let mult = 1;
  let lin: Array | null = null;
  for (let j = comps.length - 1; j >= 0; j--) {
    const c = comps[j]!;
    const term = mult === 1 ? c.idx : ibin(fn, 'multiply', c.idx, intConst(mult, stream), stream);
    lin = lin === null ? term : ibin(fn, 'add', lin, term, stream);
    mult *= c.size;
  }
  return broadcastTo(lin!, shape, stream);
}

/** `a[idx]` for parsed entries. */
function gatherEntries(fn: string, a: Array, entries: readonly Entry[], stream: Stream): Array {
  const plan = planIndex(fn, entries);
  const v = basicViews(a, entries, stream);
  if (!plan.hasArray) return reshapeV(v, plan.shape, stream);

  // Axes of v: one per slice or array entry, in order.
  const kept = entries.filter((e) => e.k === 'slice' || e.k === 'array');
  const arrayAxes: number[] = [];
  const sliceAxes: number[] = [];
  kept.forEach((e, i) => (e.k === 'array' ? arrayAxes : sliceAxes).push(i));
  // Where the index dimensions go among the slice dimensions.
  let k = 0;
  if (!plan.first) {
    for (const e of entries) {
      if (isAdvanced(e)) break;
      if (e.k === 'slice') k++;
    }
  }
  const perm = [...sliceAxes.slice(0, k), ...arrayAxes, ...sliceAxes.slice(k)];
  const vt = transposeV(v, perm, stream);
  const sizes = arrayAxes.map((i) => v.shape[i]!);
  const merged = shapeSize(sizes);
  const sliceDims = sliceAxes.map((i) => v.shape[i]!);
  const vm = reshapeV(vt, [...sliceDims.slice(0, k), merged, ...sliceDims.slice(k)], stream);

  const arrays = kept.filter((e): e is Extract<Entry, { k: 'array' }> => e.k === 'array');
  let lin: Array;
  if (arrays.length === 1) {
    lin = arrays[0]!.arr; // the gather contract wraps and clamps
  } else {
    const comps = arrays.map((e, j) => ({
      idx: e.host ? e.arr : normalizeIndexArray(fn, e.arr, sizes[j]!, stream),
      size: sizes[j]!,
    }));
    lin = linearize(fn, comps, plan.b, stream);
  }
  if (merged === 0 && lin.size > 0) throw new Error(`${fn}: cannot index an axis of size 0 with a non-empty index array`);
  const g = node('gather', [vm, lin], { axis: k }, stream);
  return reshapeV(g, plan.shape, stream);
}

/**
 * NumPy/MLX indexing, `a[...idx]`: integers (negative from the end; out of range is an error),
 * slice strings (`':'`, `'1:3'`, `'::-1'`, `'-2:'`), `'...'`, `null` (new axis), and integer
 * arrays (Arrays or JS arrays), which broadcast together and gather; when advanced indices are
 * separated by a slice or `null`, their dimensions come first, as in NumPy. Boolean masks are
 * not supported (as in MLX). A trailing `{ stream }` sets the stream.
 */
export function index(a: ArrayInput, ...idx: (IndexArg | { stream?: StreamOrDevice })[]): Array {
  const fn = 'index';
  const x = toArray(fn, a);
  const [raw, stream] = splitStream(fn, idx as IndexArg[]);
  return gatherEntries(fn, x, parseIndex(fn, x.shape, raw, stream), stream);
}

// ---------------------------------------------------------------------------------------------
// Functional updates.

type UpdateMode = ScatterMode | 'subtract' | 'divide';

function stripLeadingOnes(shape: readonly number[]): number[] {
  let s = 0;
  while (s < shape.length && shape[s] === 1) s++;
  return shape.slice(s);
}

/** The updates of `mode` in `a`'s dtype, and the scatter mode that applies them. */
function prepareUpdates(fn: string, a: Array, v: ArrayInput, mode: UpdateMode, stream: Stream): [Array, ScatterMode] {
  let u = v instanceof Array ? v : toArray(fn, v, a.dtype);
  u = astype(u, a.dtype, stream);
  if (mode === 'subtract') {
    if (a.dtype.kind === 'bool') throw new Error(`${fn}: subtract is not supported for bool arrays`);
    return [node('negative', [u], {}, stream), 'add'];
  }
  if (mode === 'divide') {
    // MLX: multiply by the reciprocal (computed in float for integer arrays, then cast back).
    const f = a.dtype.isFloating ? a.dtype : float32;
    const uf = astype(u, f, stream);
    const one = broadcastTo(array(1, f, { stream: stream ?? undefined }), uf.shape, stream);
    return [astype(node('divide', [one, uf], {}, stream), a.dtype, stream), 'multiply'];
  }
  return [u, mode];
}

function scatterEntries(fn: string, a: Array, entries: readonly Entry[], v: ArrayInput, mode: UpdateMode, stream: Stream): Array {
  const plan = planIndex(fn, entries);
  const [u0, smode] = prepareUpdates(fn, a, v, mode, stream);
  // The updates broadcast to the shape a[idx] has, after dropping their leading ones (as MLX).
  const stripped = reshapeV(u0, stripLeadingOnes(u0.shape), stream);
  const off = plan.shape.length - stripped.ndim;
  if (off < 0 || !stripped.shape.every((d, i) => d === 1 || d === plan.shape[off + i])) {
    throw new Error(`${fn}: cannot broadcast updates of shape ${fmtShape(u0.shape)} to the indexed shape ${fmtShape(plan.shape)}`);
  }
  let u = broadcastTo(stripped, plan.shape, stream);

  const consuming = entries.filter((e): e is Exclude<Entry, { k: 'none' }> => e.k !== 'none');
  const merged = consuming.filter((e) => !(e.k === 'slice' && e.full));
  // Dimensions of u without the new axes: one per array-index dim and one per slice, in plan order.
  const uShape: number[] = [];
  const dims: ('b' | Extract<Entry, { k: 'slice' }>)[] = [];
  if (plan.first) for (const d of plan.b) (uShape.push(d), dims.push('b'));
  let placed = plan.first;
  for (const e of entries) {
    if (e.k === 'slice') (uShape.push(e.n), dims.push(e));
    else if (plan.hasArray && !placed && isAdvanced(e)) {
      for (const d of plan.b) (uShape.push(d), dims.push('b'));
      placed = true;
    }
  }
  u = reshapeV(u, uShape, stream);

  if (merged.length === 0) {
    // Every axis is taken whole: an elementwise update.
    u = reshapeV(u, a.shape, stream);
    if (smode === 'set') return u;
    return node(smode as BinarySameDtype, [a, u], {}, stream);
  }

  // Order the update dims as [b..., partial slices..., whole slices...] (the scatter layout).
  const bDims = dims.flatMap((d, i) => (d === 'b' ? [i] : []));
  const partialDims = dims.flatMap((d, i) => (d !== 'b' && !d.full ? [i] : []));
  const wholeDims = dims.flatMap((d, i) => (d !== 'b' && d.full ? [i] : []));
  u = transposeV(u, [...bDims, ...partialDims, ...wholeDims], stream);

  // The linear index over the merged axes, shaped [...b, ...partial slice lengths].
  const partial = merged.filter((e): e is Extract<Entry, { k: 'slice' }> => e.k === 'slice');
  const idxShape = [...plan.b, ...partial.map((e) => e.n)];
  const nb = plan.b.length;
  const sizes = merged.map((e) => a.shape[e.axis]!);
  let lin: Array;
  if (merged.length === 1 && merged[0]!.k === 'array') {
    lin = merged[0]!.arr; // the scatter contract wraps and clamps
  } else {
    let p = 0;
    const comps = merged.map((e, j) => {
      let idx: Array;
      if (e.k === 'int') idx = intConst(e.v, stream);
      else if (e.k === 'array') {
        const norm = e.host ? e.arr : normalizeIndexArray(fn, e.arr, sizes[j]!, stream);
        const bshape = broadcastTo(norm, plan.b, stream);
        idx = reshapeV(bshape, [...plan.b, ...partial.map(() => 1)], stream);
      } else {
        const r = node('arange', [], { start: e.start, step: e.step, n: e.n, dtype: int32 }, stream);
        const shape = idxShape.map((_, i) => (i === nb + p ? e.n : 1));
        p++;
        idx = reshapeV(r, shape, stream);
      }
      return { idx, size: sizes[j]! };
    });
    lin = linearize(fn, comps, idxShape, stream);
  }
  if (lin.size === 0) return a;

  const whole = consuming.filter((e) => e.k === 'slice' && e.full);
  const perm = [...merged.map((e) => e.axis), ...whole.map((e) => e.axis)];
  const wholeSizes = whole.map((e) => a.shape[e.axis]!);
  const am = reshapeV(transposeV(a, perm, stream), [shapeSize(sizes), ...wholeSizes], stream);
  const updShape = [...lin.shape, ...wholeSizes];
  u = reshapeV(u, updShape, stream);
  const out = node('scatter', [am, lin, u], { axis: 0, mode: smode }, stream);
  const back = reshapeV(out, [...sizes, ...wholeSizes], stream);
  return transposeV(back, invertPerm(perm), stream);
}

/** What `at(a, ...idx)` returns: each method gives a NEW array with the update applied at `idx`. */
export interface AtUpdater {
  /** `a` with `a[idx] = v` (with duplicate indices, the last write wins). */
  set(v: ArrayInput, opts?: { stream?: StreamOrDevice }): Array;
  /** `a` with `v` added at `idx`; duplicate indices accumulate. */
  add(v: ArrayInput, opts?: { stream?: StreamOrDevice }): Array;
  /** `a` with `v` subtracted at `idx` (adds `-v`); duplicate indices accumulate. */
  subtract(v: ArrayInput, opts?: { stream?: StreamOrDevice }): Array;
  /** `a` multiplied by `v` at `idx`; duplicate indices accumulate. */
  multiply(v: ArrayInput, opts?: { stream?: StreamOrDevice }): Array;
  /** `a` divided by `v` at `idx` (multiplies by `1 / v`, as MLX); duplicate indices accumulate. */
  divide(v: ArrayInput, opts?: { stream?: StreamOrDevice }): Array;
  /** The elementwise maximum of `a` and `v` at `idx`; duplicate indices accumulate. */
  maximum(v: ArrayInput, opts?: { stream?: StreamOrDevice }): Array;
  /** The elementwise minimum of `a` and `v` at `idx`; duplicate indices accumulate. */
  minimum(v: ArrayInput, opts?: { stream?: StreamOrDevice }): Array;
}

/**
 * Functional updates at an index, MLX's `a.at[idx].add(v)`: `at(a, 0, '1:3').add(v)`. The index
 * takes everything `index` does. Updates are cast to `a`'s dtype and broadcast to the indexed
 * shape; nothing is modified in place.
 */
export function at(a: ArrayInput, ...idx: (IndexArg | { stream?: StreamOrDevice })[]): AtUpdater {
  const fn = 'at';
  const x = toArray(fn, a);
  const [raw, s0] = splitStream(fn, idx as IndexArg[]);
  let entries: Entry[] | null = null;
  const run =
    (mode: UpdateMode) =>
    (v: ArrayInput, opts?: { stream?: StreamOrDevice }): Array => {
      const name = `at.${mode}`;
      const stream = parseOpts(name, [opts], []).stream ?? s0;
      entries ??= parseIndex(name, x.shape, raw, stream);
      return scatterEntries(name, x, entries, v, mode, stream);
    };
  return {
    set: run('set'),
    add: run('add'),
    subtract: run('subtract'),
    multiply: run('multiply'),
    divide: run('divide'),
    maximum: run('maximum'),
    minimum: run('minimum'),
  };
}

// ---------------------------------------------------------------------------------------------
// take, takeAlongAxis, putAlongAxis.

function indexInput(fn: string, x: ArrayInput, axisSize: number, what: string, stream: Stream): Array {
  if (x instanceof Array) {
    checkIndexDtype(fn, x.dtype);
    return x;
  }
  if (typeof x === 'number') {
    if (!Number.isInteger(x)) throw new Error(`${fn}: expected an integer index, got ${x}`);
    const w = x < 0 ? x + axisSize : x;
    if (w < 0 || w >= axisSize) throw new Error(`${fn}: index ${x} is out of bounds for ${what} with size ${axisSize}`);
    return intConst(w, stream);
  }
  if (typeof x === 'boolean') throw new Error(`${fn}: boolean indices are not supported (as in MLX)`);
  if (globalThis.Array.isArray(x) || ArrayBuffer.isView(x)) return hostIndexArray(fn, x as readonly NestedArrayLike[], axisSize, what, stream);
  throw new Error(`${fn}: expected integer indices (an Array, a number or a JS array), got ${describeValue(x)}`);
}

export interface TakeOpts {
  /** The axis to take along; undefined or null takes from the flattened array. */
  axis?: number | null;
  stream?: StreamOrDevice;
}

function readAxisOpts(fn: string, axisOrOpts: unknown, opts: unknown): { axis: number | null | undefined; stream: Stream } {
  const o = parseOpts(fn, [axisOrOpts, opts], ['axis']);
  return { axis: o.axis, stream: o.stream };
}

/**
 * Elements of `a` at `indices` along `axis`: the output is a.shape[:axis] + indices.shape +
 * a.shape[axis+1:]. With no axis, takes from the flattened array. Negative indices count from
 * the end; JS indices out of range are an error, out-of-range Array indices clamp.
 */
export function take(a: ArrayInput, indices: ArrayInput, axis?: number | null | TakeOpts, opts?: { stream?: StreamOrDevice }): Array {
  const fn = 'take';
  const o = readAxisOpts(fn, axis, opts);
  let x = toArray(fn, a);
  let ax: number;
  if (o.axis === undefined || o.axis === null) {
    x = reshapeV(x, [x.size], o.stream);
    ax = 0;
  } else {
    ax = normalizeAxis(fn, o.axis, x.ndim);
  }
  const idx = indexInput(fn, indices, x.shape[ax]!, `axis ${ax}`, o.stream);
  if (x.shape[ax] === 0 && idx.size > 0) throw new Error(`${fn}: cannot take a non-empty set of indices from an axis of size 0`);
  return node('gather', [x, idx], { axis: ax }, o.stream);
}

/** Shapes of `a` and `idx` broadcast against each other except along `axis`. */
function broadcastExceptAxis(fn: string, a: readonly number[], idx: readonly number[], axis: number): [number[], number[]] {
  const sa = a.slice();
  const si = idx.slice();
  for (let d = 0; d < a.length; d++) {
    if (d === axis) continue;
    const x = a[d]!,
      y = idx[d]!;
    if (x === y) continue;
    if (x === 1) sa[d] = y;
    else if (y === 1) si[d] = x;
    else
      throw new Error(
        `${fn}: indices of shape ${fmtShape(idx)} do not broadcast with an array of shape ${fmtShape(a)} except along axis ${axis} (${y} != ${x} at axis ${d})`,
      );
  }
  return [sa, si];
}

/** The shared argument handling of takeAlongAxis and putAlongAxis: the (possibly flattened) array, axis, indices and their broadcast shapes. */
function alongAxis(fn: string, a: ArrayInput, indices: ArrayInput, axis: number | null | TakeOpts, opts?: { stream?: StreamOrDevice }) {
  const o = readAxisOpts(fn, axis, opts);
  if (o.axis === undefined) throw new Error(`${fn}: expected an axis (an integer, or null to flatten)`);
  const original = toArray(fn, a);
  const x = o.axis === null ? reshapeV(original, [original.size], o.stream) : original;
  const ax = o.axis === null ? 0 : normalizeAxis(fn, o.axis, x.ndim);
  const idx = indexInput(fn, indices, x.shape[ax]!, `axis ${ax}`, o.stream);
  if (idx.ndim !== x.ndim) {
    throw new Error(`${fn}: indices of dimension ${idx.ndim} do not match an array of dimension ${x.ndim}`);
  }
  const [sa, si] = broadcastExceptAxis(fn, x.shape, idx.shape, ax);
  return { original, x, ax, idx, sa, si, stream: o.stream };
}

/**
 * `a`'s elements at `indices` along `axis` (NumPy's take_along_axis): indices has a's number of
 * dimensions and broadcasts against `a` except along `axis`. `axis` null flattens `a` (indices
 * must then be 1-D).
 */
export function takeAlongAxis(a: ArrayInput, indices: ArrayInput, axis: number | null | TakeOpts, opts?: { stream?: StreamOrDevice }): Array {
  const fn = 'takeAlongAxis';
  const { x, ax, idx, sa, si, stream } = alongAxis(fn, a, indices, axis, opts);
  const xb = broadcastTo(x, sa, stream);
  const ib = broadcastTo(idx, si, stream);
  if (xb.shape[ax] === 0 && ib.size > 0) throw new Error(`${fn}: cannot take a non-empty set of indices from an axis of size 0`);
  return node('gatherAxis', [xb, ib], { axis: ax }, stream);
}

/**
 * A new array: `a` with `values` written at `indices` along `axis` (NumPy's put_along_axis).
 * Indices have a's number of dimensions and broadcast to a's shape except along `axis`; values
 * broadcast to the indices' shape and are cast to a's dtype. `axis` null works on the flattened
 * array (the result keeps a's shape).
 */
export function putAlongAxis(
  a: ArrayInput,
  indices: ArrayInput,
  values: ArrayInput,
  axis: number | null | TakeOpts,
  opts?: { stream?: StreamOrDevice },
): Array {
  const fn = 'putAlongAxis';
  const { original, x, ax, idx, sa, si, stream } = alongAxis(fn, a, indices, axis, opts);
  if (!shapeEqual(sa, x.shape)) {
    throw new Error(`${fn}: indices of shape ${fmtShape(idx.shape)} must match the array's shape ${fmtShape(x.shape)} except along axis ${ax}`);
  }
  const ib = broadcastTo(idx, si, stream);
  const v = astype(values instanceof Array ? values : toArray(fn, values, x.dtype), x.dtype, stream);
  const vShape = broadcastShapes(fn, v.shape, si);
  if (!shapeEqual(vShape, si)) throw new Error(`${fn}: values of shape ${fmtShape(v.shape)} do not broadcast to the indices' shape ${fmtShape(si)}`);
  if (x.shape[ax] === 0 && ib.size > 0) throw new Error(`${fn}: cannot put into an axis of size 0`);
  const out = node('scatterAxis', [x, ib, broadcastTo(v, si, stream)], { axis: ax, mode: 'set' }, stream);
  return reshapeV(out, original.shape, stream);
}
