/**
 * Turning user values into Arrays, and the promotion and broadcasting every multi-input op does
 * before it builds a node.
 */
import { Array, type Complex, Storage, arrayFromStorage } from '../array.js';
import { describeValue } from '../describe.js';
import { type Backend, backendFor, requireDeviceBackend } from '../backend.js';
import { Device, resolveStream, Stream, type StreamOpt, type StreamOrDevice } from '../device.js';
import {
  allDtypes,
  complex64,
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
import { isPlainObject, maxTreeDepth } from '../tree.js';
import { broadcastShapes, checkShape, fmtShape, shapeEqual } from '../shape.js';

type ArrayLikeOf<T> = { readonly length: number; readonly [i: number]: T };
export type Scalar = number | boolean;
export type NestedArrayLike = Scalar | Complex | Array | readonly NestedArrayLike[];
/** What ops accept wherever an array is expected. */
export type ArrayInput = Array | Scalar | Complex | readonly NestedArrayLike[] | ArrayBufferView;

/** Whether `v` is a `{ re, im }` pair of numbers. */
function isComplexValue(v: unknown): v is Complex {
  return typeof v === 'object' && v !== null && typeof (v as Complex).re === 'number' && typeof (v as Complex).im === 'number' && isPlainObject(v);
}
export type DtypeLike = Dtype | DtypeName;

/**
 * Shape of a nested JS array, rejecting ragged nesting and non-numeric leaves. Nesting is bounded
 * like trees' (`maxTreeDepth`): the checks below recurse per level, and so do `tolist` and printing.
 */
function nestedShape(fn: string, x: readonly NestedArrayLike[]): number[] {
  const shape: number[] = [];
  const chain = new Set<unknown>();
  let level: unknown = x;
  while (globalThis.Array.isArray(level)) {
    if (chain.has(level)) throw new Error(`${fn}: the nested JS array contains itself at depth ${shape.length} (a cycle)`);
    if (shape.length === maxTreeDepth) {
      throw new Error(`${fn}: the nested JS array nests deeper than ${maxTreeDepth} levels (at most ${maxTreeDepth} dimensions are read from nested arrays)`);
    }
    chain.add(level);
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  if (level instanceof Array) shape.push(...level.shape);
  const check = (v: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number' && typeof v !== 'boolean' && !isComplexValue(v) && !(v instanceof Array && v.ndim === 0)) {
        throw new Error(`${fn}: expected numbers, booleans or { re, im } complex numbers at depth ${depth} of a nested array, got ${describeValue(v)}`);
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

function flatten(x: NestedArrayLike, out: (number | boolean | Complex)[]): void {
  if (globalThis.Array.isArray(x)) for (const e of x) flatten(e, out);
  else if (x instanceof Array) out.push(...(x.dtype.isComplex ? (x.tolist() as Complex[]) : [...x.toTypedArray()].map(Number)));
  else out.push(x as Scalar | Complex);
}

/** Host values into a typed array of `dtype` (float16 and bfloat16 as bits). */
export function encodeHost(values: ArrayLikeOf<number | boolean | bigint | Complex>, dtype: Dtype): HostTypedArray {
  const out = hostArrayFor(dtype, values.length);
  const n = values.length;
  if (dtype.isComplex) {
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      out[2 * i] = isComplexValue(v) ? v.re : Number(v);
      out[2 * i + 1] = isComplexValue(v) ? v.im : 0;
    }
  } else if (values.length > 0 && globalThis.Array.prototype.some.call(values, isComplexValue)) {
    throw new Error(`array: complex values cannot be stored as ${dtype.name} (make complex64 and cast: real parts are kept, as MLX's astype does)`);
  } else if (dtype.name === 'float16' || dtype.name === 'bfloat16') {
    const enc = dtype.name === 'float16' ? numberToFloat16Bits : float32ToBfloat16Bits;
    for (let i = 0; i < n; i++) out[i] = enc(Number(values[i]));
  } else if (dtype.name === 'int64') {
    const o = out as BigInt64Array;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      // NaN and infinities have no int64 value: the cast is unspecified (0 here), never a RangeError.
      const x = Number(v);
      o[i] = typeof v === 'bigint' ? v : Number.isFinite(x) ? BigInt(Math.trunc(x)) : 0n;
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
  const o = parseOpts('array', [dtype, opts], ['dtype']);
  return arrayFor('array', value, o.dtype, o.stream ? { stream: o.stream } : undefined);
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
    return dt?.isComplex ? fromHostData(encodeHost([value], dt), [], dt, opts?.stream) : scalarArray(value, target, opts?.stream);
  }
  if (isComplexValue(value)) {
    const c = fromHostData(encodeHost([value], complex64), [], complex64, opts?.stream);
    return dt ? astype(c, dt, opts?.stream) : c;
  }
  if (globalThis.Array.isArray(value)) {
    const shape = nestedShape(fn, value);
    const flat: (number | boolean | Complex)[] = [];
    flatten(value, flat);
    if (flat.some(isComplexValue)) {
      const c = fromHostData(encodeHost(flat, complex64), shape, complex64, opts?.stream);
      return dt ? astype(c, dt, opts?.stream) : c;
    }
    const allBool = flat.length > 0 && flat.every((v) => typeof v === 'boolean');
    const target = dt ?? (allBool ? bool : float32);
    return fromHostData(encodeHost(flat, target), shape, target, opts?.stream);
  }
  throw new Error(`${fn}: expected a number, boolean, nested array, typed array or Array, got ${describeValue(value)}`);
}

/** A copy of `x` in `dtype` (`x` itself when it already has it); floats cast to integers truncate toward zero, anything cast to bool is `x != 0`. */
export function astype(x: ArrayInput, dtype: DtypeLike, stream?: StreamOrDevice | StreamOpt | null): Array {
  const a = x instanceof Array ? x : toArray('astype', x);
  const s = stream instanceof Stream || stream instanceof Device ? stream : parseOpts('astype', [stream], []).stream;
  const dt = toDtype(dtype, 'astype');
  if (a.dtype === dt) return a;
  return node('astype', [a], { dtype: dt }, s);
}

/** An op's array argument: Arrays pass through, anything else goes through `array`. */
export function toArray(fn: string, x: ArrayInput, dtype?: Dtype): Array {
  if (x instanceof Array) return x;
  if (
    x === undefined ||
    x === null ||
    (typeof x !== 'number' && typeof x !== 'boolean' && !globalThis.Array.isArray(x) && !ArrayBuffer.isView(x) && !isComplexValue(x))
  ) {
    throw new Error(`${fn}: expected an array, number, boolean or { re, im }, got ${describeValue(x)}`);
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

/** `x` broadcast to `shape` by NumPy's rules, as a view (no copy). */
export function broadcastTo(x: ArrayInput, shape: readonly number[], stream?: StreamOrDevice | StreamOpt | null): Array {
  return broadcastFor('broadcastTo', x, shape, stream);
}

/** @internal `broadcastTo` on behalf of op `fn`, whose name its errors carry. */
export function broadcastFor(fn: string, x: ArrayInput, shape: readonly number[], stream?: StreamOrDevice | StreamOpt | null): Array {
  const a = toArray(fn, x);
  const s = stream instanceof Stream || stream instanceof Device ? stream : parseOpts(fn, [stream], []).stream;
  checkShape(fn, shape);
  if (shapeEqual(a.shape, shape)) return a;
  const joint = broadcastShapes(fn, a.shape, shape);
  if (a.ndim > shape.length || !shapeEqual(joint, shape)) {
    throw new Error(`${fn}: cannot broadcast shape ${fmtShape(a.shape)} to ${fmtShape(shape)}`);
  }
  return node('broadcastTo', [a], { shape: shape.slice() }, s);
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

/** What an optional argument must be: a named kind, one of a few strings, or a test with its description. */
export type Kind =
  | keyof typeof kinds
  | readonly string[]
  | {
      /** How a message names the kind (`an integer`). */
      what: string;
      /** Whether a value is of the kind. */
      test: (v: unknown) => boolean;
    };

const isInt = (v: unknown): boolean => Number.isInteger(v);
const isIntOrInts = (v: unknown): boolean => isInt(v) || (globalThis.Array.isArray(v) && v.every(isInt));
const isDim = (v: unknown): boolean => isInt(v) && (v as number) >= 0;

/** The kinds of optional arguments, each with the words errors use for it. */
const kinds = {
  int: { what: 'an integer', test: isInt },
  count: { what: 'a non-negative integer', test: isDim },
  positive: { what: 'a positive integer', test: (v: unknown) => isInt(v) && (v as number) > 0 },
  ints: { what: 'an integer or a list of integers', test: isIntOrInts },
  intList: { what: 'a list of integers', test: (v: unknown) => globalThis.Array.isArray(v) && v.every(isInt) },
  number: { what: 'a number', test: (v: unknown) => typeof v === 'number' },
  bool: { what: 'a boolean', test: (v: unknown) => typeof v === 'boolean' },
  dtype: {
    what: "a Dtype (mx.float32 or a name like 'float32')",
    test: (v: unknown) => v instanceof Dtype || (typeof v === 'string' && allDtypes.some((d) => d.name === v)),
  },
  shape: {
    what: 'a shape (a non-negative integer or a list of them)',
    test: (v: unknown) => isDim(v) || (globalThis.Array.isArray(v) && v.every(isDim)),
  },
  key: { what: 'a key (a uint32 Array of shape [2], see mx.random.key)', test: (v: unknown) => v instanceof Array },
  array: { what: 'an array, number or boolean', test: isArrayInput },
};

/**
 * The kind of every optional argument core's ops take, by name (MLX's parameter names), so each
 * name means one thing everywhere; an op whose argument of that name differs says so in
 * `parseOpts`'s `overrides`.
 */
const slotKinds: Record<string, Kind> = {
  dtype: 'dtype',
  axis: 'int',
  axes: 'intList',
  keepdims: 'bool',
  ddof: 'int',
  precise: 'bool',
  equalNan: 'bool',
  rtol: 'number',
  atol: 'number',
  num: 'count',
  m: 'count',
  k: 'int',
  offset: 'int',
  axis1: 'int',
  axis2: 'int',
  startAxis: 'int',
  endAxis: 'int',
  decimals: 'int',
  alpha: 'number',
  beta: 'number',
  nan: 'number',
  posinf: 'number',
  neginf: 'number',
  reverse: 'bool',
  inclusive: 'bool',
  mode: ['constant', 'edge'],
  constantValues: 'array',
  stride: 'ints',
  padding: 'ints',
  dilation: 'ints',
  outputPadding: 'ints',
  kernelDilation: 'ints',
  inputDilation: 'ints',
  groups: 'positive',
  flip: 'bool',
  shape: 'shape',
  width: 'int',
  key: 'key',
  low: 'array',
  high: 'array',
  loc: 'array',
  scale: 'array',
  p: 'array',
  numSamples: 'count',
};

function isArrayInput(v: unknown): boolean {
  return v instanceof Array || typeof v === 'number' || typeof v === 'boolean' || globalThis.Array.isArray(v) || ArrayBuffer.isView(v) || isComplexValue(v);
}

function kindOf(k: Kind): { what: string; test: (v: unknown) => boolean } {
  if (typeof k === 'string') return kinds[k];
  if (globalThis.Array.isArray(k)) {
    const values = k as readonly string[];
    return { what: `one of ${values.map((v) => `'${v}'`).join(', ')}`, test: (v) => typeof v === 'string' && values.includes(v) };
  }
  return k as { what: string; test: (v: unknown) => boolean };
}

/** @internal Whether `v` is of kind `k`, for kinds built from others (tensordot's axes pair). */
export function matchesKind(k: Kind, v: unknown): boolean {
  return kindOf(k).test(v);
}

/** @internal Checks an op's `stream` option: a Stream, a Device, or null/undefined for the default. */
export function checkStream(fn: string, s: unknown): StreamOrDevice | null | undefined {
  if (s == null) return s as null | undefined;
  if (s instanceof Stream || s instanceof Device) {
    requireDeviceBackend(fn, s instanceof Stream ? s.device.type : s.type);
    return s;
  }
  throw new Error(`${fn}: expected stream to be a Stream or Device (mx.cpu, mx.gpu, mx.newStream(...)), got ${describeValue(s)}`);
}

/**
 * @internal Reads an op's optional arguments given positionally in `names` order, as one options object
 * with those names (and `stream`), or both (positional first, like Python keywords after positionals).
 * `undefined` positionals count as not given; null means MLX's None (the default) for any of them.
 * Every value is checked against its kind (`overrides`, else the name's entry in `slotKinds`), so a
 * value of the wrong kind in any slot is an error naming the op and the slot, never ignored.
 */
export function parseOpts<K extends string>(
  fn: string,
  rest: readonly unknown[],
  names: readonly K[],
  overrides: Partial<Record<K, Kind>> = {},
): { [P in K]?: any } & { stream?: StreamOrDevice | null } {
  return readArgs(fn, rest, names, (name) => {
    const k = (overrides as Record<string, Kind | undefined>)[name] ?? slotKinds[name];
    // An op's option without a kind would go unchecked: fail loudly on its first use instead.
    if (k === undefined) throw new Error(`${fn}: option '${name}' has no kind (add it to slotKinds in core/src/ops/convert.ts, or to the op's overrides)`);
    return k;
  });
}

/**
 * @internal `parseOpts` with the kinds given by `kindFor` (undefined: unchecked), for packages whose
 * option names mean other things than core's (nn's `mode`, `scale`), which check their values themselves.
 */
export function readArgs<K extends string>(
  fn: string,
  rest: readonly unknown[],
  names: readonly K[],
  kindFor: (name: string) => Kind | undefined,
): { [P in K]?: any } & { stream?: StreamOrDevice | null } {
  const out: Record<string, unknown> = {};
  /** `position` is set for a positional value: a value that fits a later slot is likely meant for it, which the error says. */
  const check = (name: string, v: unknown, position?: number): void => {
    const k = kindFor(name);
    if (v === null || k === undefined) return;
    const { what, test } = kindOf(k);
    if (test(v)) return;
    const meant =
      position === undefined ? undefined : names.slice(position + 1).find((later) => kindFor(later) !== undefined && kindOf(kindFor(later)!).test(v));
    const hint = meant === undefined ? '' : ` (${meant} comes after ${names.slice(position, names.indexOf(meant)).join(', ')}; or pass { ${meant} })`;
    throw new Error(`${fn}: expected ${name} to be ${what}, got ${describeValue(v)}${hint}`);
  };
  let n = rest.length;
  while (n > 0 && rest[n - 1] === undefined) n--;
  for (let i = 0; i < n; i++) {
    const v = rest[i];
    if (isPlainObject(v)) {
      if (i !== n - 1) throw new Error(`${fn}: an options object must be the last argument, got ${describeValue(v)} before ${describeValue(rest[n - 1])}`);
      for (const [k, val] of Object.entries(v)) {
        if (k !== 'stream' && !(names as readonly string[]).includes(k)) {
          throw new Error(`${fn}: unknown option '${k}' (expected ${[...names, 'stream'].join(', ')})`);
        }
        if (val === undefined) continue;
        if (k in out) throw new Error(`${fn}: '${k}' was given both positionally and as an option`);
        if (k === 'stream') checkStream(fn, val);
        else check(k, val);
        out[k] = val;
      }
    } else if (i === n - 1 && (v instanceof Stream || v instanceof Device)) {
      out.stream = v;
    } else {
      if (i >= names.length) {
        throw new Error(
          `${fn}: expected at most ${names.length} optional argument${names.length === 1 ? '' : 's'}${names.length ? ` (${names.join(', ')})` : ''} and an options object, got ${describeValue(v)} after them`,
        );
      }
      if (v !== undefined) {
        check(names[i]!, v, i);
        out[names[i]!] = v;
      }
    }
  }
  return out as { [P in K]?: any } & { stream?: StreamOrDevice | null };
}
