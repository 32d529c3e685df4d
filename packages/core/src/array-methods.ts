/**
 * MLX's Array methods (`x.sum(1)`, `x.reshape(2, 3)`, `x.T`, ...), attached to the prototype.
 * Each forwards to the op of the same name; the declaration block below types them.
 */
import { Array } from './array.js';
import { describeValue } from './describe.js';
import type { StreamOpt, StreamOrDevice } from './device.js';
import { astype, type ArrayInput, type DtypeLike } from './ops/convert.js';
import * as ew from './ops/elementwise.js';
import { type AtUpdater, at, type IndexArg, index } from './ops/indexing.js';
import { matmul } from './ops/linalg.js';
import {
  all,
  any,
  argmax,
  argmin,
  type ArgReduceArgs,
  logsumexp,
  max,
  mean,
  min,
  prod,
  type ReduceArgs,
  std,
  sum,
  var as variance,
  type VarArgs,
} from './ops/reduction.js';
import { cummax, cummin, cumprod, cumsum, logcumsumexp } from './ops/scan.js';
import { view } from './ops/view.js';
import { flatten, moveaxis, reshape, split, squeeze, swapaxes, transpose } from './ops/shape.js';

/** The parameters after the first (distributes over unions of tuples). */
type Tail<T extends unknown[]> = T extends [unknown, ...infer R] ? R : never;
type ScanArgs = Tail<Parameters<typeof cumsum>>;
type FlattenArgs = Tail<Parameters<typeof flatten>>;
type SqueezeArgs = Tail<Parameters<typeof squeeze>>;
type SplitRest = Tail<Tail<Parameters<typeof split>>>;
type RoundArgs = Tail<Parameters<typeof ew.round>>;
type ShapeList = readonly number[];

declare module './array.js' {
  interface Array {
    /** The transpose (all axes reversed). */
    readonly T: Array;
    /** Iterates over the first axis, as MLX's arrays do (`const [k1, k2] = mx.random.split(key)`). */
    [Symbol.iterator](): Iterator<Array>;
    /** `mx.astype(x, dtype)`: a copy in another dtype. */
    astype(dtype: DtypeLike, stream?: StreamOrDevice | StreamOpt | null): Array;
    /** `x.reshape(2, 3)` or `x.reshape([2, 3])`; one dimension may be -1. */
    reshape(...shape: (number | StreamOpt)[]): Array;
    /** The same, with the shape as one list. */
    reshape(shape: ShapeList, opts?: StreamOpt): Array;
    /** `x.transpose()`, `x.transpose(1, 0, 2)` or `x.transpose([1, 0, 2])`. */
    transpose(...axes: (number | StreamOpt)[]): Array;
    /** The same, with the axes as one list (null: all reversed). */
    transpose(axes: ShapeList | null, opts?: StreamOpt): Array;
    /** `mx.swapaxes(x, axis1, axis2)`. */
    swapaxes(axis1: number, axis2: number, opts?: StreamOpt): Array;
    /** `mx.moveaxis(x, source, destination)`. */
    moveaxis(source: number | ShapeList, destination: number | ShapeList, opts?: StreamOpt): Array;
    /** `mx.flatten(x, startAxis, endAxis)`. */
    flatten(...args: FlattenArgs): Array;
    /** `mx.squeeze(x, axis)`: drops axes of size 1 (all of them by default). */
    squeeze(...args: SqueezeArgs): Array;
    /** `mx.split(x, indicesOrSections, axis)`. */
    split(indicesOrSections: number | ShapeList, ...args: SplitRest): Array[];

    /** `mx.sum(x, axis, keepdims)`. */
    sum(...args: ReduceArgs): Array;
    /** `mx.prod(x, axis, keepdims)`. */
    prod(...args: ReduceArgs): Array;
    /** `mx.max(x, axis, keepdims)`. */
    max(...args: ReduceArgs): Array;
    /** `mx.min(x, axis, keepdims)`. */
    min(...args: ReduceArgs): Array;
    /** `mx.mean(x, axis, keepdims)`. */
    mean(...args: ReduceArgs): Array;
    /** `mx.var(x, axis, keepdims, ddof)`. */
    var(...args: VarArgs): Array;
    /** `mx.std(x, axis, keepdims, ddof)`. */
    std(...args: VarArgs): Array;
    /** `mx.all(x, axis, keepdims)`. */
    all(...args: ReduceArgs): Array;
    /** `mx.any(x, axis, keepdims)`. */
    any(...args: ReduceArgs): Array;
    /** `mx.argmax(x, axis, keepdims)`. */
    argmax(...args: ArgReduceArgs): Array;
    /** `mx.argmin(x, axis, keepdims)`. */
    argmin(...args: ArgReduceArgs): Array;
    /** `mx.logsumexp(x, axis, keepdims)`. */
    logsumexp(...args: ReduceArgs): Array;
    /** `mx.cumsum(x, axis, reverse, inclusive)`. */
    cumsum(...args: ScanArgs): Array;
    /** `mx.cumprod(x, axis, reverse, inclusive)`. */
    cumprod(...args: ScanArgs): Array;
    /** `mx.cummax(x, axis, reverse, inclusive)`. */
    cummax(...args: ScanArgs): Array;
    /** `mx.cummin(x, axis, reverse, inclusive)`. */
    cummin(...args: ScanArgs): Array;

    /** `mx.abs(x)`. */
    abs(opts?: StreamOpt): Array;
    /** `mx.negative(x)`: `-x`. */
    negative(opts?: StreamOpt): Array;
    /** `mx.exp(x)`. */
    exp(opts?: StreamOpt): Array;
    /** `mx.log(x)`. */
    log(opts?: StreamOpt): Array;
    /** `mx.log1p(x)`. */
    log1p(opts?: StreamOpt): Array;
    /** `mx.log2(x)`. */
    log2(opts?: StreamOpt): Array;
    /** `mx.log10(x)`. */
    log10(opts?: StreamOpt): Array;
    /** `mx.sqrt(x)`. */
    sqrt(opts?: StreamOpt): Array;
    /** `mx.rsqrt(x)`. */
    rsqrt(opts?: StreamOpt): Array;
    /** `mx.square(x)`. */
    square(opts?: StreamOpt): Array;
    /** `mx.reciprocal(x)`. */
    reciprocal(opts?: StreamOpt): Array;
    /** `mx.sin(x)`. */
    sin(opts?: StreamOpt): Array;
    /** `mx.cos(x)`. */
    cos(opts?: StreamOpt): Array;
    /** `mx.round(x, decimals)`. */
    round(...args: RoundArgs): Array;

    /** `x + b` (TypeScript has no operator overloading). */
    add(b: ArrayInput, opts?: StreamOpt): Array;
    /** `x - b`: `mx.subtract(x, b)`. */
    subtract(b: ArrayInput, opts?: StreamOpt): Array;
    /** `x * b`: `mx.multiply(x, b)`. */
    multiply(b: ArrayInput, opts?: StreamOpt): Array;
    /** `x / b`: `mx.divide(x, b)`. */
    divide(b: ArrayInput, opts?: StreamOpt): Array;
    /** `x ** b`: `mx.power(x, b)`. */
    power(b: ArrayInput, opts?: StreamOpt): Array;
    /** `x // b`: `mx.floorDivide(x, b)`. */
    floorDivide(b: ArrayInput, opts?: StreamOpt): Array;
    /** `x % b`: `mx.remainder(x, b)`. */
    remainder(b: ArrayInput, opts?: StreamOpt): Array;
    /** `mx.maximum(x, b)`. */
    maximum(b: ArrayInput, opts?: StreamOpt): Array;
    /** `mx.minimum(x, b)`. */
    minimum(b: ArrayInput, opts?: StreamOpt): Array;
    /** `x @ b`: `mx.matmul(x, b)`. */
    matmul(b: ArrayInput, opts?: StreamOpt): Array;
    /** `x == b`: `mx.equal(x, b)`. */
    equal(b: ArrayInput, opts?: StreamOpt): Array;
    /** `x != b`: `mx.notEqual(x, b)`. */
    notEqual(b: ArrayInput, opts?: StreamOpt): Array;
    /** `x > b`: `mx.greater(x, b)`. */
    greater(b: ArrayInput, opts?: StreamOpt): Array;
    /** `x >= b`: `mx.greaterEqual(x, b)`. */
    greaterEqual(b: ArrayInput, opts?: StreamOpt): Array;
    /** `x < b`: `mx.less(x, b)`. */
    less(b: ArrayInput, opts?: StreamOpt): Array;
    /** `x <= b`: `mx.lessEqual(x, b)`. */
    lessEqual(b: ArrayInput, opts?: StreamOpt): Array;

    /** `x[...idx]`: see `index`. */
    index(...idx: (IndexArg | StreamOpt)[]): Array;
    /** `x.at[idx]`: functional updates, see `at`. */
    at(...idx: IndexArg[]): AtUpdater;
    /** `mx.logcumsumexp(x, axis, reverse, inclusive)`. */
    logcumsumexp(...args: ScanArgs): Array;
    /** `mx.view(x, dtype)`: the bytes read as `dtype`. */
    view(dtype: DtypeLike, opts?: { stream?: StreamOrDevice | null }): Array;
  }
}

function isOpts(x: unknown): x is StreamOpt {
  return typeof x === 'object' && x !== null && Object.getPrototypeOf(x) === Object.prototype;
}

/** Splits `(...ints, opts?)` or `(list, opts?)` into the list and the options. */
function listAndOpts(fn: string, args: readonly unknown[]): [readonly number[] | null | undefined, StreamOpt | undefined] {
  let opts: StreamOpt | undefined;
  let rest = args;
  if (rest.length > 0 && isOpts(rest[rest.length - 1])) {
    opts = rest[rest.length - 1] as StreamOpt;
    rest = rest.slice(0, -1);
  }
  if (rest.length === 1 && (globalThis.Array.isArray(rest[0]) || rest[0] === null || rest[0] === undefined)) {
    return [rest[0] as readonly number[] | null | undefined, opts];
  }
  if (!rest.every((v) => typeof v === 'number')) {
    throw new Error(`${fn}: expected integers or one list of integers, got ${describeValue(rest)}`);
  }
  return [rest.length === 0 ? undefined : (rest as number[]), opts];
}

const methods: Record<string, (this: Array, ...args: any[]) => unknown> = {
  astype(dtype: DtypeLike, stream?: StreamOrDevice | StreamOpt | null) {
    return astype(this, dtype, stream);
  },
  reshape(...args: unknown[]) {
    const [shape, opts] = listAndOpts('reshape', args);
    if (shape == null) throw new Error('reshape: expected a shape');
    return reshape(this, shape, opts);
  },
  transpose(...args: unknown[]) {
    const [axes, opts] = listAndOpts('transpose', args);
    return opts ? transpose(this, axes ?? null, opts) : transpose(this, axes ?? null);
  },
  swapaxes(a1: number, a2: number, opts?: StreamOpt) {
    return swapaxes(this, a1, a2, opts);
  },
  moveaxis(src: number | ShapeList, dst: number | ShapeList, opts?: StreamOpt) {
    return moveaxis(this, src, dst, opts);
  },
  flatten(...args: FlattenArgs) {
    return flatten(this, ...args);
  },
  squeeze(...args: SqueezeArgs) {
    return squeeze(this, ...args);
  },
  split(indicesOrSections: number | ShapeList, ...args: SplitRest) {
    return split(this, indicesOrSections, ...args);
  },
  sum(...args: ReduceArgs) {
    return sum(this, ...args);
  },
  prod(...args: ReduceArgs) {
    return prod(this, ...args);
  },
  max(...args: ReduceArgs) {
    return max(this, ...args);
  },
  min(...args: ReduceArgs) {
    return min(this, ...args);
  },
  mean(...args: ReduceArgs) {
    return mean(this, ...args);
  },
  var(...args: VarArgs) {
    return variance(this, ...args);
  },
  std(...args: VarArgs) {
    return std(this, ...args);
  },
  all(...args: ReduceArgs) {
    return all(this, ...args);
  },
  any(...args: ReduceArgs) {
    return any(this, ...args);
  },
  argmax(...args: ArgReduceArgs) {
    return argmax(this, ...args);
  },
  argmin(...args: ArgReduceArgs) {
    return argmin(this, ...args);
  },
  logsumexp(...args: ReduceArgs) {
    return logsumexp(this, ...args);
  },
  cumsum(...args: ScanArgs) {
    return cumsum(this, ...args);
  },
  cumprod(...args: ScanArgs) {
    return cumprod(this, ...args);
  },
  cummax(...args: ScanArgs) {
    return cummax(this, ...args);
  },
  cummin(...args: ScanArgs) {
    return cummin(this, ...args);
  },
  round(...args: RoundArgs) {
    return ew.round(this, ...args);
  },
  index(...idx: (IndexArg | StreamOpt)[]) {
    return index(this, ...idx);
  },
  at(...idx: IndexArg[]) {
    return at(this, ...idx);
  },
  matmul(b: ArrayInput, opts?: StreamOpt) {
    return matmul(this, b, opts);
  },
  logcumsumexp(...args: ScanArgs) {
    return logcumsumexp(this, ...args);
  },
  view(dtype: DtypeLike, opts?: { stream?: StreamOrDevice | null }) {
    return view(this, dtype, opts);
  },
};

for (const name of ['abs', 'negative', 'exp', 'log', 'log1p', 'log2', 'log10', 'sqrt', 'rsqrt', 'square', 'reciprocal', 'sin', 'cos'] as const) {
  const f = ew[name] as (a: ArrayInput, opts?: StreamOpt) => Array;
  methods[name] = function (this: Array, opts?: StreamOpt) {
    return f(this, opts);
  };
}
for (const name of [
  'add',
  'subtract',
  'multiply',
  'divide',
  'power',
  'floorDivide',
  'remainder',
  'maximum',
  'minimum',
  'equal',
  'notEqual',
  'greater',
  'greaterEqual',
  'less',
  'lessEqual',
] as const) {
  const f = ew[name] as (a: ArrayInput, b: ArrayInput, opts?: StreamOpt) => Array;
  methods[name] = function (this: Array, b: ArrayInput, opts?: StreamOpt) {
    return f(this, b, opts);
  };
}

for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Array.prototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
}
Object.defineProperty(Array.prototype, 'T', {
  get(this: Array): Array {
    return transpose(this);
  },
  configurable: true,
  enumerable: false,
});

Object.defineProperty(Array.prototype, Symbol.iterator, {
  configurable: true,
  writable: true,
  value: function* (this: Array): Generator<Array> {
    if (this.ndim === 0) throw new Error('iteration: cannot iterate over a 0-d array');
    for (let i = 0; i < this.shape[0]!; i++) yield index(this, i);
  },
});
