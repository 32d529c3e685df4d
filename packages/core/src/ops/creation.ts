/**
 * Array creation. Constant arrays are a broadcast view of one scalar, so `zeros([1000, 1000])`
 * stores one element until something computes from it.
 */
import { Array } from '../array.js';
import type { StreamOrDevice } from '../device.js';
import { bool, Dtype, float32, int32, toDtype } from '../dtype.js';
import { node } from '../graph.js';
import { describeValue } from '../describe.js';
import { checkShape, fmtShape } from '../shape.js';
import { array, type ArrayInput, astype, broadcastFor, broadcastTo, type DtypeLike, type OptArgs, parseOpts, toArray } from './convert.js';

type Stream = StreamOrDevice | null | undefined;
type ShapeArg = number | readonly number[];

function toShape(fn: string, shape: ShapeArg): number[] {
  return checkShape(fn, typeof shape === 'number' ? [shape] : shape);
}

function dtypeOpt(fn: string, d: unknown, dflt: Dtype): Dtype {
  return d == null ? dflt : toDtype(d as DtypeLike, fn);
}

function streamOpt(s: Stream): { stream?: StreamOrDevice } | undefined {
  return s ? { stream: s } : undefined;
}

function constant(value: number | boolean, shape: readonly number[], dtype: Dtype, s: Stream): Array {
  return broadcastTo(array(value, dtype, streamOpt(s)), shape, s);
}

export interface DtypeOpts {
  dtype?: DtypeLike | null;
  stream?: StreamOrDevice | null;
}
export type DtypeArgs = OptArgs<[dtype?: DtypeLike | null], DtypeOpts>;

/** `zeros(shape, dtype=float32)`. */
export function zeros(shape: ShapeArg, ...args: DtypeArgs): Array {
  const o = parseOpts('zeros', args, ['dtype']);
  return constant(0, toShape('zeros', shape), dtypeOpt('zeros', o.dtype, float32), o.stream);
}
/** `ones(shape, dtype=float32)`. */
export function ones(shape: ShapeArg, ...args: DtypeArgs): Array {
  const o = parseOpts('ones', args, ['dtype']);
  return constant(1, toShape('ones', shape), dtypeOpt('ones', o.dtype, float32), o.stream);
}
/** `full(shape, vals, dtype?)`: `vals` (a scalar or an array broadcastable to `shape`) cast to `dtype` when given. */
export function full(shape: ShapeArg, vals: ArrayInput, ...args: DtypeArgs): Array {
  const fn = 'full';
  const o = parseOpts(fn, args, ['dtype']);
  const sh = toShape(fn, shape);
  const dt = o.dtype == null ? undefined : toDtype(o.dtype, fn);
  const v = toArray(fn, vals, dt);
  return broadcastFor(fn, dt ? astype(v, dt, o.stream) : v, sh, o.stream);
}
/** Zeros of `a`'s shape and dtype. */
export function zerosLike(a: ArrayInput, opts?: { stream?: StreamOrDevice | null }): Array {
  const x = toArray('zerosLike', a);
  return constant(0, x.shape, x.dtype, parseOpts('zerosLike', [opts], []).stream);
}
/** Ones of `a`'s shape and dtype. */
export function onesLike(a: ArrayInput, opts?: { stream?: StreamOrDevice | null }): Array {
  const x = toArray('onesLike', a);
  return constant(1, x.shape, x.dtype, parseOpts('onesLike', [opts], []).stream);
}

export interface ArangeOpts {
  start?: number;
  stop?: number;
  step?: number;
  dtype?: DtypeLike | null;
  stream?: StreamOrDevice | null;
}

/**
 * `arange(stop)`, `arange(start, stop, step?)`, each with an optional dtype after the numbers and
 * an options object last. All-integer arguments give int32 (as MLX's Python ints), otherwise float32.
 */
export function arange(stop: number, dtype?: DtypeLike | null, opts?: { stream?: StreamOrDevice | null }): Array;
export function arange(start: number, stop: number, step?: number | null, dtype?: DtypeLike | null, opts?: { stream?: StreamOrDevice | null }): Array;
export function arange(start: number, stop: number, opts: ArangeOpts): Array;
export function arange(stop: number, opts: ArangeOpts): Array;
export function arange(opts: ArangeOpts): Array;
export function arange(...args: unknown[]): Array {
  const fn = 'arange';
  const nums: (number | null | undefined)[] = [];
  let i = 0;
  while (i < args.length && i < 3 && (typeof args[i] === 'number' || args[i] == null)) nums.push(args[i++] as number | null | undefined);
  const rest = args.slice(i);
  // Pull start/stop/step out of a trailing options object; parseOpts reads the rest.
  const last = rest[rest.length - 1];
  let named: { start?: number; stop?: number; step?: number } = {};
  if (last !== null && typeof last === 'object' && Object.getPrototypeOf(last) === Object.prototype) {
    const { start, stop, step, ...others } = last as ArangeOpts;
    named = { start, stop, step };
    rest[rest.length - 1] = others;
  }
  const o = parseOpts(fn, rest, ['dtype']);
  const given = nums.filter((v) => v != null).length;
  let start: number | undefined;
  let stop: number | undefined;
  let step: number | undefined;
  if (given === 1 && nums[0] != null && named.start === undefined && named.stop === undefined) {
    stop = nums[0]; // arange(stop)
  } else if (given === 1 && nums[0] != null && named.stop !== undefined) {
    start = nums[0]; // arange(start, { stop })
  } else {
    start = nums[0] ?? undefined;
    stop = nums[1] ?? undefined;
    step = nums[2] ?? undefined;
  }
  for (const k of ['start', 'stop', 'step'] as const) {
    const v = named[k];
    if (v === undefined) continue;
    const cur = k === 'start' ? start : k === 'stop' ? stop : step;
    if (cur !== undefined) throw new Error(`${fn}: '${k}' was given both positionally and as an option`);
    if (k === 'start') start = v;
    else if (k === 'stop') stop = v;
    else step = v;
  }
  if (stop === undefined) throw new Error(`${fn}: expected a stop value, as arange(stop) or arange(start, stop, step?)`);
  const st = start ?? 0;
  const sp = step ?? 1;
  for (const [name, v] of [
    ['start', st],
    ['stop', stop],
    ['step', sp],
  ] as const) {
    if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`${fn}: expected ${name} to be a number, got ${describeValue(v)}`);
  }
  if (sp === 0) throw new Error(`${fn}: step cannot be zero`);
  const real = Math.ceil((stop - st) / sp);
  if (!Number.isFinite(real)) throw new Error(`${fn}: cannot compute the length of arange(${st}, ${stop}, ${sp})`);
  const n = Math.max(real, 0);
  if (n > 2 ** 31 - 1) throw new Error(`${fn}: the length ${n} of arange(${st}, ${stop}, ${sp}) is too large`);
  const allInt = Number.isInteger(st) && Number.isInteger(stop) && Number.isInteger(sp);
  const dt = dtypeOpt(fn, o.dtype, allInt ? int32 : float32);
  if (dt === bool) throw new Error(`${fn}: cannot make an arange of bools`);
  return node('arange', [], { start: st, step: sp, n, dtype: dt }, o.stream);
}

export interface LinspaceOpts {
  num?: number;
  dtype?: DtypeLike | null;
  stream?: StreamOrDevice | null;
}

/** `linspace(start, stop, num=50, dtype=float32)`: `num` evenly spaced values, both ends included. */
export function linspace(start: number, stop: number, ...args: OptArgs<[num?: number, dtype?: DtypeLike | null], LinspaceOpts>): Array {
  const fn = 'linspace';
  const o = parseOpts(fn, args, ['num', 'dtype']);
  const num: number = o.num ?? 50;
  for (const [name, v] of [
    ['start', start],
    ['stop', stop],
  ] as const) {
    if (typeof v !== 'number') throw new Error(`${fn}: expected ${name} to be a number, got ${describeValue(v)}`);
  }
  const dt = dtypeOpt(fn, o.dtype, float32);
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  return node('arange', [], { start, step, n: num, dtype: dt }, o.stream);
}

function checkDim(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error(`${fn}: expected ${name} to be a non-negative integer, got ${describeValue(v)}`);
  return v;
}

/** Bool [n, m] with true where column - row <= k (a lower triangle including diagonal k). */
function triMask(n: number, m: number, k: number, s: Stream, cmp: 'equal' | 'greaterEqual'): Array {
  const rows = node('arange', [], { start: k, step: 1, n, dtype: int32 }, s);
  const cols = node('arange', [], { start: 0, step: 1, n: m, dtype: int32 }, s);
  const r = broadcastTo(node('reshape', [rows], { shape: [n, 1] }, s), [n, m], s);
  const c = broadcastTo(node('reshape', [cols], { shape: [1, m] }, s), [n, m], s);
  return node(cmp, [r, c], {}, s);
}

export interface EyeOpts {
  m?: number | null;
  k?: number;
  dtype?: DtypeLike | null;
  stream?: StreamOrDevice | null;
}

/** `eye(n, m=n, k=0, dtype=float32)`: ones on diagonal k. */
export function eye(n: number, ...args: OptArgs<[m?: number | null, k?: number, dtype?: DtypeLike | null], EyeOpts>): Array {
  const fn = 'eye';
  const o = parseOpts(fn, args, ['m', 'k', 'dtype']);
  const rows = checkDim(fn, 'n', n);
  const cols: number = o.m ?? rows;
  return astype(triMask(rows, cols, o.k ?? 0, o.stream, 'equal'), dtypeOpt(fn, o.dtype, float32), o.stream);
}

/** `identity(n, dtype=float32)`. */
export function identity(n: number, ...args: DtypeArgs): Array {
  const fn = 'identity';
  const o = parseOpts(fn, args, ['dtype']);
  const rows = checkDim(fn, 'n', n);
  return astype(triMask(rows, rows, 0, o.stream, 'equal'), dtypeOpt(fn, o.dtype, float32), o.stream);
}

/** `tri(n, m=n, k=0, dtype=float32)`: ones at and below diagonal k. */
export function tri(n: number, ...args: OptArgs<[m?: number | null, k?: number, dtype?: DtypeLike | null], EyeOpts>): Array {
  const fn = 'tri';
  const o = parseOpts(fn, args, ['m', 'k', 'dtype']);
  const rows = checkDim(fn, 'n', n);
  const cols: number = o.m ?? rows;
  return astype(triMask(rows, cols, o.k ?? 0, o.stream, 'greaterEqual'), dtypeOpt(fn, o.dtype, float32), o.stream);
}

function triPart(fn: string, a: ArrayInput, args: readonly unknown[], lower: boolean): Array {
  const x = toArray(fn, a);
  const o = parseOpts(fn, args, ['k']);
  const k: number = o.k ?? 0;
  if (x.ndim < 2) throw new Error(`${fn}: expected an array of at least 2 dimensions, got shape ${fmtShape(x.shape)}`);
  const [n, m] = x.shape.slice(-2) as [number, number];
  // tril keeps column - row <= k; triu keeps column - row >= k, i.e. drops tril(k - 1).
  const mask = broadcastTo(triMask(n, m, lower ? k : k - 1, o.stream, 'greaterEqual'), x.shape, o.stream);
  const zero = constant(0, x.shape, x.dtype, o.stream);
  return lower ? node('where', [mask, x, zero], {}, o.stream) : node('where', [mask, zero, x], {}, o.stream);
}

/** `tril(x, k=0)`: zeros above diagonal k of the last two axes. */
export function tril(a: ArrayInput, ...args: OptArgs<[k?: number], { k?: number; stream?: StreamOrDevice | null }>): Array {
  return triPart('tril', a, args, true);
}
/** `triu(x, k=0)`: zeros below diagonal k of the last two axes. */
export function triu(a: ArrayInput, ...args: OptArgs<[k?: number], { k?: number; stream?: StreamOrDevice | null }>): Array {
  return triPart('triu', a, args, false);
}
