/**
 * The lazy Array: a node of the graph (primitive, params, inputs, stream) until evaluated, then
 * a strided view onto backend storage with its inputs dropped, so graphs do not pin memory.
 */
import { arrayBrand } from './describe.js';
import type { Backend, Source } from './backend.js';
import { bfloat16BitsToNumber, Dtype, float16BitsToNumber, type HostTypedArray } from './dtype.js';
import { $data, $disposed, $inputs, $layout, $mark, $params, $pending, $placeholder, $prim, $siblings, $stream, $tracer, $uses, $view } from './array-keys.js';
import { type Stream } from './device.js';
import { evalArrays } from './eval.js';
import { formatArray } from './print.js';
import { type Shape, contiguousStrides, fmtShape, shapeSize } from './shape.js';

/** Storage shared by an array and the views onto it; `dispose` frees it when no holder is left. */
export class Storage {
  private holders = 1;
  private _source: Source | null = null;
  constructor(
    readonly backend: Backend,
    readonly handle: unknown,
  ) {}
  /** The `Source` naming this storage in a backend's steps, made once. */
  get source(): Source {
    return this._source ?? (this._source = { kind: 'storage', handle: this.handle });
  }
  /** Adds a holder (an array viewing this storage). */
  retain(): this {
    this.holders++;
    return this;
  }
  /** Removes a holder; the last one releases the storage to its backend. */
  drop(): void {
    if (--this.holders === 0) this.backend.release(this.handle);
  }
  /** Whether every holder has dropped the storage. */
  get released(): boolean {
    return this.holders <= 0;
  }
  /** Whether more than one array holds the storage (views onto it, or the scalar cache). */
  get shared(): boolean {
    return this.holders > 1;
  }
  /**
   * Gives up the last holder without releasing the handle: a step's output was written into this
   * storage (a donation, see `Step.donate`), so the handle now belongs to that output's Storage.
   */
  handOver(): void {
    this.holders = 0;
  }
}

export interface ArrayData {
  readonly storage: Storage;
  readonly offset: number;
  readonly strides: readonly number[];
}

let nextId = 0;
const noStrides: readonly number[] = Object.freeze([]);
let traceDepth = 0;

/** Transforms bracket their tracing with these: tracers keep their graph through `eval` only while some transform is tracing. */
export function enterTrace(): void {
  traceDepth++;
}
/** Ends a bracket opened by `enterTrace`. */
export function exitTrace(): void {
  traceDepth--;
}
/** Whether some transform is tracing now. */
export function isTracing(): boolean {
  return traceDepth > 0;
}

/**
 * MLX's `array`: an n-dimensional array of one dtype, lazy until evaluated. Make arrays with the ops
 * (`mx.array`, `mx.zeros`, `mx.arange`, ...); their methods (`x.sum()`, `x.reshape(2, 3)`, ...) forward to
 * the ops of the same name.
 */
export class Array {
  /** @internal */ get [arrayBrand](): true {
    return true;
  }
  readonly id = nextId++;
  readonly shape: readonly number[];
  readonly dtype: Dtype;
  /** @internal */ [$prim]: string | null;
  /** @internal */ [$params]: unknown;
  /** @internal */ [$inputs]: Array[];
  /** @internal */ [$stream]: Stream | null;
  /** @internal */ [$data]: ArrayData | null = null;
  /** @internal set on arrays a transform traces through (see `enterTrace`) */ [$tracer] = false;
  /** @internal names what a placeholder stands for, in errors */ [$placeholder]: string | null = null;
  /** @internal the evaluator's visit mark (see eval.ts `schedule`) */ [$mark] = 0;
  /** @internal whether `[$prim]` is a view primitive, when known (null: look it up) */ [$view]: boolean | null = null;
  /** @internal where the evaluator is computing this node, while its segment is being built */ [$layout]: unknown = null;
  /**
   * @internal the outputs of a multi-output node, in order, this one among them (MLX's siblings):
   * they share primitive, params, inputs and stream, and are evaluated together; null for one output
   */
  [$siblings]: Array[] | null = null;
  /**
   * @internal for a node only the evaluator can reach (an intermediate a compiled function's replay
   * made, see eval.ts `Planner`): how many of its consumers are not yet planned. 0: anyone may hold it.
   */
  [$uses]: number = 0;

  /** @internal use the ops (`mx.array`, `mx.add`, ...) to make arrays */
  constructor(shape: Shape, dtype: Dtype, prim: string | null, params: unknown, inputs: Array[], stream: Stream | null) {
    this.shape = shape as number[];
    this.dtype = dtype;
    this[$prim] = prim;
    this[$params] = params;
    this[$inputs] = inputs;
    this[$stream] = stream;
    for (const x of inputs) {
      if (x[$tracer]) {
        this[$tracer] = true;
        break;
      }
    }
  }

  /** The number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }
  /** The number of elements. */
  get size(): number {
    return shapeSize(this.shape);
  }
  /** The bytes per element. */
  get itemsize(): number {
    return this.dtype.size;
  }
  /** The bytes of all elements. */
  get nbytes(): number {
    return this.size * this.dtype.size;
  }
  /** The primitive that produces this array, or null for data and evaluated arrays. */
  get primitive(): string | null {
    return this[$prim];
  }
  /** The arrays this one is computed from; evaluation drops them (outside a transform's trace), so graphs do not pin memory. */
  get inputs(): readonly Array[] {
    return this[$inputs];
  }
  /** The other outputs of the multi-output node that produces this array (empty for one output). */
  get siblings(): readonly Array[] {
    return this[$siblings] === null ? [] : this[$siblings].filter((s) => s !== this);
  }
  /** Whether the array holds its data (evaluated, or made from data). */
  get isEvaluated(): boolean {
    return this[$data] !== null;
  }

  /**
   * Evaluates and returns the single element as a JS number. A bool array gives 1 or 0, the value
   * MLX's Python bool has in arithmetic (so `correct += mx.equal(a, b).item()` counts);
   * `itemBool()` gives it as true or false.
   */
  item(): number {
    if (this.dtype.isComplex) throw new Error('item: a complex64 array has no number value; use itemComplex() for its { re, im }');
    return Number(singleElement(this, 'item'));
  }

  /** Evaluates and returns the single element of a complex64 array as `{ re, im }` (a real array gives im 0). */
  itemComplex(): Complex {
    if (this.size !== 1) throw new Error(`itemComplex: expected an array of one element, got shape ${fmtShape(this.shape)}`);
    if (!this.dtype.isComplex) return { re: this.item(), im: 0 };
    const host = this.toTypedArray();
    return { re: host[0] as number, im: host[1] as number };
  }

  /** Evaluates and returns whether the single element is nonzero: a bool array's value (Python's `bool(a)` for others). */
  itemBool(): boolean {
    return Number(singleElement(this, 'itemBool')) !== 0;
  }

  /** Evaluates and returns nested JS arrays (a number for 0-d arrays; complex64 elements as `{ re, im }`). */
  tolist(): NestedList {
    const host = this.toTypedArray();
    const isBool = this.dtype.name === 'bool';
    const conv: (i: number) => number | boolean | Complex = this.dtype.isComplex
      ? (i) => ({ re: host[2 * i] as number, im: host[2 * i + 1] as number })
      : (i) => (isBool ? host[i] !== 0 : Number(host[i]!));
    if (this.ndim === 0) return conv(0);
    let pos = 0;
    const build = (axis: number): NestedList[] => {
      const out: NestedList[] = [];
      for (let i = 0; i < this.shape[axis]!; i++) out.push(axis === this.ndim - 1 ? conv(pos++) : build(axis + 1));
      return out;
    };
    return build(0);
  }

  /**
   * Evaluates and returns a contiguous copy of the data: Float32Array for float32, float16 and
   * bfloat16 (JS has no 16-bit float array), Uint8Array for bool, BigInt64Array for int64, and for
   * complex64 a Float32Array of twice the size holding (re, im) pairs.
   */
  toTypedArray(): HostTypedArray {
    evalArrays([this]);
    const d = this[$data]!;
    const host = d.storage.backend.toHost({
      source: d.storage.source,
      dtype: this.dtype,
      shape: this.shape,
      strides: d.strides,
      offset: d.offset,
    });
    if (this.dtype.name === 'float16' || this.dtype.name === 'bfloat16') {
      const conv = this.dtype.name === 'float16' ? float16BitsToNumber : bfloat16BitsToNumber;
      const out = new Float32Array(host.length);
      for (let i = 0; i < host.length; i++) out[i] = conv(host[i] as number);
      return out;
    }
    return host;
  }

  /**
   * Frees the storage now (if no other evaluated array views it) and the graph behind this array.
   * Dispose wins over a pending `asyncEval`: the result is dropped when it arrives, and any later
   * use is the use-after-dispose Error.
   */
  dispose(): void {
    this[$disposed] = true;
    // A pending asyncEval may still read this node for its other outputs; it finishes the dispose when it settles.
    if (this[$pending] > 0) return;
    this[$data]?.storage.drop();
    this[$data] = null;
    this[$inputs] = [];
    this[$prim] = null;
    this[$siblings] = null;
  }
  /** @internal */ [$disposed] = false;
  /** @internal how many pending asyncEvals have this node in their plan (see eval.ts `asyncEvalArrays`) */ [$pending] = 0;

  /** `dispose()`, for `using` declarations. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** NumPy/MLX-style text (print.ts); a tracer prints its shape and dtype. */
  toString(): string {
    return formatArray(this);
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return formatArray(this);
  }
  /** `JSON.stringify` gives the values (`tolist()`). */
  toJSON(): NestedList {
    return this.tolist();
  }
  /**
   * A one-element array in numeric contexts (`Number(x)`, `x > 2`, `${x}` gives the text), as
   * MLX evaluates `float(x)`; more elements in a numeric context are an Error, not NaN.
   */
  [Symbol.toPrimitive](hint: string): number | string {
    if (hint === 'string') return formatArray(this);
    if (this.size !== 1)
      throw new Error(`an array of shape ${fmtShape(this.shape)} has no single numeric value; use item() on a one-element array, or tolist()`);
    return this.item();
  }
}

/** A complex64 element read back: `{ re, im }`. */
export interface Complex {
  readonly re: number;
  readonly im: number;
}

export type NestedList = number | boolean | Complex | NestedList[];

/** The element of a one-element array, evaluated; `fn` names the method for the error. */
function singleElement(a: Array, fn: string): number | bigint {
  if (a.size !== 1) throw new Error(`${fn}: expected an array of one element, got shape ${fmtShape(a.shape)}`);
  return a.toTypedArray()[0]!;
}

/** An evaluated array over existing storage. */
export function arrayFromStorage(
  shape: Shape,
  dtype: Dtype,
  storage: Storage,
  offset = 0,
  strides: readonly number[] = shape.length === 0 ? noStrides : contiguousStrides(shape),
): Array {
  const a = new Array(shape, dtype, null, null, [], null);
  a[$data] = { storage, offset, strides };
  return a;
}

/** An array with no data that a transform traces with (vmap, compile). */
export function placeholderArray(shape: Shape, dtype: Dtype, what: string): Array {
  const a = new Array(shape, dtype, null, null, [], null);
  a[$placeholder] = what;
  a[$tracer] = true;
  return a;
}

/** Whether `a` is a tracer of a transform that is tracing now. */
export function isTracer(a: Array): boolean {
  return a[$tracer] && traceDepth > 0;
}

/** Whether `x` is an mlx-ts Array (not a JS array). */
export function isArray(x: unknown): x is Array {
  return x instanceof Array;
}
