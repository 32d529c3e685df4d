/**
 * Turning user values into Arrays, and the promotion and broadcasting every multi-input op does
 * before it builds a node.
 */
import { Array, Storage, arrayFromStorage } from '../array.js';
import { describeValue } from '../describe.js';
import { type Backend, backendFor } from '../backend.js';
import { Device, resolveStream, Stream, type StreamOpt, type StreamOrDevice } from '../device.js';
import {
  bool,
  Dtype,
  dtypeOfTypedArray,
  float32,
  float32ToBfloat16Bits,
  hostArrayFor,
  type HostTypedArray,
  int32,
  numberToFloat16Bits,
  promoteTypes,
  toDtype,
  type DtypeName,
} from '../dtype.js';
import { node } from '../graph.js';
import { isPlainObject } from '../tree.js';
import { broadcastShapes, checkShape, fmtShape, shapeEqual } from '../shape.js';

type ArrayLikeOf<T> = { readonly length: number; readonly [i: number]: T };
export type Scalar = number | boolean;
export type NestedArrayLike = Scalar | Array | readonly NestedArrayLike[];
/** What ops accept wherever an array is expected. */
export type ArrayInput = Array | Scalar | readonly NestedArrayLike[] | ArrayBufferView;
export type DtypeLike = Dtype | DtypeName;

/** Shape of a nested JS array, rejecting ragged nesting and non-numeric leaves. */
function nestedShape(fn: string, x: readonly NestedArrayLike[]): number[] {
  const shape: number[] = [];
  let level: unknown = x;
  while (globalThis.Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  if (level instanceof Array) shape.push(...level.shape);
  const check = (v: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number' && typeof v !== 'boolean' && !(v instanceof Array && v.ndim === 0)) {
        throw new Error(`${fn}: expected numbers or booleans at depth ${depth} of a nested array, got ${describeValue(v)}`);
      }
      return;
    }
    if (v instanceof Array) {
      if (!shapeEqual(v.shape, shape.slice(depth)))
        throw new Error(`${fn}: ragged nested array: an Array of shape ${fmtShape(v.shape)} where ${fmtShape(shape.slice(depth))} was expected`);
      return;
    }
    if (!globalThis.Array.isArray(v) || v.length !== shape[depth]) {
      throw new Error(
        `${fn}: ragged nested array: expected length ${shape[depth]} at depth ${depth}, got ${globalThis.Array.isArray(v) ? `length ${v.length}` : describeValue(v)}`,
      );
    }
    for (const e of v) check(e, depth + 1);
  };
  check(x, 0);
  return shape;
}

function flatten(x: NestedArrayLike, out: (number | boolean)[]): void {
  if (globalThis.Array.isArray(x)) for (const e of x) flatten(e, out);
  else if (x instanceof Array) for (const v of x.toTypedArray()) out.push(Number(v));
  else out.push(x as Scalar);
}

/** Host values into a typed array of `dtype` (float16 and bfloat16 as bits). */
export function encodeHost(values: ArrayLikeOf<number | boolean | bigint>, dtype: Dtype): HostTypedArray {
  const out = hostArrayFor(dtype, values.length);
  const n = values.length;
  if (dtype.name === 'float16' || dtype.name === 'bfloat16') {
    const enc = dtype.name === 'float16' ? numberToFloat16Bits : float32ToBfloat16Bits;
    for (let i = 0; i < n; i++) out[i] = enc(Number(values[i]));
  } else if (dtype.name === 'int64') {
    const o = out as BigInt64Array;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      o[i] = typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)) || 0);
    }
  } else if (dtype.name === 'bool') {
    for (let i = 0; i < n; i++) out[i] = values[i] ? 1 : 0;
  } else {
    const o = out as Exclude<HostTypedArray, BigInt64Array>;
    for (let i = 0; i < n; i++) o[i] = Number(values[i]);
  }
  return out;
}

/**
 * Stored scalars, per backend and dtype code, shared by the 0-d arrays made from JS numbers and
 * booleans: ops make one for every scalar operand (`mx.multiply(x, 0.5)`), and storing each anew
 * (a native buffer apiece on the cpu backend) costs more than the op. Arrays are immutable, so
 * sharing is invisible; the cache holds one reference, so `dispose` of such an array frees nothing.
 */
const scalarCaches = new Map<Backend, Map<number | boolean, Storage>[]>();
let lastCacheBackend: Backend | null = null;
let lastCaches: Map<number | boolean, Storage>[] = [];
const scalarCacheLimit = 256;

function scalarStorage(backend: Backend, value: number | boolean, dtype: Dtype): Storage {
  let caches: Map<number | boolean, Storage>[];
  if (backend === lastCacheBackend) caches = lastCaches;
  else {
    caches = scalarCaches.get(backend) ?? [];
    scalarCaches.set(backend, caches);
    lastCacheBackend = backend;
    lastCaches = caches;
  }
  const cache = caches[dtype.code] ?? (caches[dtype.code] = new Map());
  const hit = cache.get(value);
  if (hit !== undefined && !hit.released) return hit.retain();
  const storage = new Storage(backend, backend.fromHost(encodeHost([value], dtype), dtype));
  // Map keys equate -0 with 0; -0 is rare enough to store each time.
  if (value === 0 && 1 / (value as number) < 0) return storage;
  if (cache.size >= scalarCacheLimit) {
    for (const s of cache.values()) s.drop();
    cache.clear();
  }
  cache.set(value, storage.retain());
  return storage;
}

/** A 0-d array of a JS scalar, its storage shared through the scalar cache. */
function scalarArray(value: number | boolean, dtype: Dtype, stream?: StreamOrDevice | null): Array {
  const backend = backendFor(resolveStream(stream).device.type);
  return arrayFromStorage([], dtype, scalarStorage(backend, value, dtype));
}

/** An evaluated array holding host data on the stream's backend. */
export function fromHostData(data: HostTypedArray, shape: readonly number[], dtype: Dtype, stream?: StreamOrDevice | null): Array {
  const backend = backendFor(resolveStream(stream).device.type);
  return arrayFromStorage(shape.slice(), dtype, new Storage(backend, backend.fromHost(data, dtype)));
}

/**
 * `mx.array`: from a number, boolean, nested JS array, typed array, or Array. JS numbers make
 * float32 (JS has no int type); booleans make bool; typed arrays keep their type.
 */
export function array(value: ArrayInput, dtype?: DtypeLike | null, opts?: { stream?: StreamOrDevice }): Array {
  return arrayFor('array', value, dtype, opts);
}

/** `array` on behalf of op `fn`, whose name its errors carry. */
function arrayFor(fn: string, value: ArrayInput, dtype?: DtypeLike | null, opts?: { stream?: StreamOrDevice }): Array {
  const dt = dtype == null ? undefined : toDtype(dtype, fn);
  if (value instanceof Array) return dt && dt !== value.dtype ? astype(value, dt, opts?.stream) : value;
  if (ArrayBuffer.isView(value)) {
    const inferred = dtypeOfTypedArray(value);
    if (!inferred) throw new Error(`${fn}: unsupported typed array ${value.constructor.name}`);
    const target = dt ?? inferred;
    const src = value as unknown as ArrayLikeOf<number | bigint>;
    const host = target === inferred && !(value instanceof Uint8ClampedArray) ? (value as unknown as HostTypedArray).slice() : encodeHost(src, target);
    return fromHostData(host, [src.length], target, opts?.stream);
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    const target = dt ?? (typeof value === 'boolean' ? bool : float32);
    return scalarArray(value, target, opts?.stream);
  }
  if (globalThis.Array.isArray(value)) {
    const shape = nestedShape(fn, value);
    const flat: (number | boolean)[] = [];
    flatten(value, flat);
    const allBool = flat.length > 0 && flat.every((v) => typeof v === 'boolean');
    const target = dt ?? (allBool ? bool : float32);
    return fromHostData(encodeHost(flat, target), shape, target, opts?.stream);
  }
  throw new Error(`${fn}: expected a number, boolean, nested array, typed array or Array, got ${describeValue(value)}`);
}

export function astype(x: ArrayInput, dtype: DtypeLike, stream?: StreamOrDevice | StreamOpt | null): Array {
  const a = x instanceof Array ? x : toArray('astype', x);
  if (stream && !(stream instanceof Stream) && !(stream instanceof Device)) stream = stream.stream;
  const dt = toDtype(dtype, 'astype');
  if (a.dtype === dt) return a;
  return node('astype', [a], { dtype: dt }, stream);
}

/** An op's array argument: Arrays pass through, anything else goes through `array`. */
export function toArray(fn: string, x: ArrayInput, dtype?: Dtype): Array {
  if (x instanceof Array) return x;
  if (x === undefined || x === null || (typeof x !== 'number' && typeof x !== 'boolean' && !globalThis.Array.isArray(x) && !ArrayBuffer.isView(x))) {
    throw new Error(`${fn}: expected an array, number or boolean, got ${describeValue(x)}`);
  }
  return arrayFor(fn, x, dtype);
}

/**
 * The dtype of a JS scalar next to an array, MLX's weak typing: a float array keeps its dtype;
 * an integer array keeps it for integral numbers; otherwise float32 (booleans: bool).
 */
function scalarDtype(x: Scalar, partner: Dtype): Dtype {
  if (typeof x === 'boolean') return partner;
  if (partner.isFloating) return partner;
  if (Number.isInteger(x)) return partner.kind === 'bool' ? int32 : partner;
  return float32;
}

/** Converts the arguments of a multi-input op and promotes them to one dtype (arrays decide, scalars are weak). */
export function promoteArgs(fn: string, args: readonly ArrayInput[], stream?: StreamOrDevice | null): Array[] {
  if (args.length === 2) {
    // The common cases, without the general path's allocations: two arrays of one dtype, or an
    // array and a JS scalar that takes its dtype.
    const a = args[0];
    const b = args[1];
    if (a instanceof Array) {
      if (b instanceof Array) {
        if (a.dtype === b.dtype) return [a, b];
      } else if ((typeof b === 'number' || typeof b === 'boolean') && scalarDtype(b, a.dtype) === a.dtype) {
        return [a, scalarArray(b, a.dtype, stream)];
      }
    } else if (b instanceof Array && (typeof a === 'number' || typeof a === 'boolean') && scalarDtype(a, b.dtype) === b.dtype) {
      return [scalarArray(a, b.dtype, stream), b];
    }
  }
  const arrays = args.filter((a): a is Array => a instanceof Array);
  let dt: Dtype | undefined;
  for (const a of arrays) dt = dt ? promoteTypes(dt, a.dtype) : a.dtype;
  const nonScalar = args.filter((a) => !(a instanceof Array) && typeof a !== 'number' && typeof a !== 'boolean');
  const converted = nonScalar.map((a) => toArray(fn, a));
  for (const a of converted) dt = dt ? promoteTypes(dt, a.dtype) : a.dtype;
  if (dt === undefined) {
    // Only scalars: booleans alone stay bool, any number makes float32.
    dt = args.every((a) => typeof a === 'boolean') ? bool : float32;
  }
  for (const a of args) {
    if (typeof a === 'number' || typeof a === 'boolean') {
      const s = scalarDtype(a, dt);
      if (s !== dt) dt = promoteTypes(dt, s);
    }
  }
  let k = 0;
  const result = args.map((a) => {
    if (a instanceof Array) return a;
    if (typeof a === 'number' || typeof a === 'boolean') return array(a, dt, stream ? { stream } : undefined);
    return converted[k++]!;
  });
  return result.map((a) => astype(a, dt!, stream));
}

export function broadcastTo(x: ArrayInput, shape: readonly number[], stream?: StreamOrDevice | StreamOpt | null): Array {
  const a = toArray('broadcastTo', x);
  if (stream && !(stream instanceof Stream) && !(stream instanceof Device)) stream = stream.stream;
  checkShape('broadcastTo', shape);
  if (shapeEqual(a.shape, shape)) return a;
  const joint = broadcastShapes('broadcastTo', a.shape, shape);
  if (a.ndim > shape.length || !shapeEqual(joint, shape)) {
    throw new Error(`broadcastTo: cannot broadcast shape ${fmtShape(a.shape)} to ${fmtShape(shape)}`);
  }
  return node('broadcastTo', [a], { shape: shape.slice() }, stream);
}

/** `broadcastShapes` of two shapes, without its allocations; it still makes the error. */
function broadcastPair(fn: string, a: readonly number[], b: readonly number[]): readonly number[] {
  const long = a.length >= b.length ? a : b;
  const short = long === a ? b : a;
  const lead = long.length - short.length;
  const out = long.slice();
  for (let i = 0; i < short.length; i++) {
    const d = short[i]!;
    const o = out[lead + i]!;
    if (d === o || d === 1) continue;
    if (o === 1) out[lead + i] = d;
    else return broadcastShapes(fn, a, b);
  }
  return out;
}

/** Broadcasts arrays to their common shape. */
export function broadcastArgs(fn: string, arrays: readonly Array[], stream?: StreamOrDevice | null): Array[] {
  if (arrays.length === 2) {
    const a = arrays[0]!;
    const b = arrays[1]!;
    if (a.shape === b.shape || shapeEqual(a.shape, b.shape)) return [a, b];
    const shape = broadcastPair(fn, a.shape, b.shape);
    const ba = shapeEqual(a.shape, shape) ? a : node('broadcastTo', [a], { shape: shape.slice() }, stream);
    const bb = shapeEqual(b.shape, shape) ? b : node('broadcastTo', [b], { shape: shape.slice() }, stream);
    return [ba, bb];
  }
  const shape = broadcastShapes(fn, ...arrays.map((a) => a.shape));
  return arrays.map((a) => (shapeEqual(a.shape, shape) ? a : node('broadcastTo', [a], { shape: shape.slice() }, stream)));
}

/** Optional arguments of an op: positionally (then an optional trailing `{ stream }`), or as one options object. */
export type OptArgs<P extends unknown[], O> = [...P, StreamOpt?] | [O];

/**
 * @internal Reads an op's optional arguments given positionally in `names` order, as one options object
 * with those names (and `stream`), or both (positional first, like Python keywords after positionals).
 * `undefined` positionals count as not given.
 */
export function parseOpts<K extends string>(
  fn: string,
  rest: readonly unknown[],
  names: readonly K[],
): { [P in K]?: any } & { stream?: StreamOrDevice | null } {
  const out: Record<string, unknown> = {};
  let n = rest.length;
  while (n > 0 && rest[n - 1] === undefined) n--;
  for (let i = 0; i < n; i++) {
    const v = rest[i];
    if (isPlainObject(v)) {
      if (i !== n - 1) throw new Error(`${fn}: an options object must be the last argument`);
      for (const [k, val] of Object.entries(v)) {
        if (k !== 'stream' && !(names as readonly string[]).includes(k)) {
          throw new Error(`${fn}: unknown option '${k}' (expected ${[...names, 'stream'].join(', ')})`);
        }
        if (val === undefined) continue;
        if (k in out) throw new Error(`${fn}: '${k}' was given both positionally and as an option`);
        out[k] = val;
      }
    } else if (i === n - 1 && (v instanceof Stream || v instanceof Device)) {
      out.stream = v;
    } else {
      if (i >= names.length) {
        throw new Error(
          `${fn}: expected at most ${names.length} optional argument${names.length === 1 ? '' : 's'} (${names.join(', ')}) and an options object, got ${describeValue(v)} as argument ${i + 2}`,
        );
      }
      if (v !== undefined) out[names[i]!] = v;
    }
  }
  return out as { [P in K]?: any } & { stream?: StreamOrDevice | null };
}
