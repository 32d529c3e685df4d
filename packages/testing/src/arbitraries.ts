/**
 * fast-check arbitraries for property tests of mlx-ts primitives: dtypes, shapes, broadcastable
 * shape pairs, axes, and arrays whose values stay in a controlled range (away from kinks, or
 * pairwise far apart where a derivative jumps at ties).
 */
import fc from 'fast-check';
import {
  allDtypes,
  type Array,
  type Dtype,
  type DtypeKind,
  type DtypeName,
  dtypeLimits,
  encodeHost,
  fromHostData,
  roundToDtype,
  shapeSize,
  toDtype,
} from '@mlx-ts/core';

export type DtypeLike = Dtype | DtypeName;
export type Shape = number[];

/**
 * Dtypes, optionally restricted by kind (`'float'`, `'int'`, `'uint'`, `'bool'`, `'complex'`) or by
 * name. complex64 only comes when asked for (by kind or name): most primitives refuse it.
 */
export function dtypes(c: { kinds?: readonly DtypeKind[]; only?: readonly DtypeLike[]; exclude?: readonly DtypeLike[] } = {}): fc.Arbitrary<Dtype> {
  let list = c.only ? c.only.map((d) => toDtype(d, 'dtypes')) : allDtypes.filter((d) => !d.isComplex || c.kinds?.includes('complex'));
  if (c.kinds) list = list.filter((d) => c.kinds!.includes(d.kind));
  if (c.exclude) {
    const ex = c.exclude.map((d) => toDtype(d, 'dtypes'));
    list = list.filter((d) => !ex.includes(d));
  }
  if (list.length === 0) throw new Error('dtypes: the constraints leave no dtype');
  return fc.constantFrom(...list);
}

/** Floating dtypes (float16, bfloat16, float32, float64). */
export const floatDtypes = (): fc.Arbitrary<Dtype> => dtypes({ kinds: ['float'] });
/** Integer dtypes, signed and unsigned. */
export const intDtypes = (): fc.Arbitrary<Dtype> => dtypes({ kinds: ['int', 'uint'] });

export interface ShapeConstraints {
  /** Fewest dimensions (default 0). */
  minDims?: number;
  /** Most dimensions (default 3). */
  maxDims?: number;
  /** Smallest side (default 1; 0 allows empty arrays). */
  minSide?: number;
  /** Largest side (default 4). */
  maxSide?: number;
}

/** Shapes: arrays of sides. Small by default, so that checks stay fast. */
export function shapes(c: ShapeConstraints = {}): fc.Arbitrary<Shape> {
  const { minDims = 0, maxDims = 3, minSide = 1, maxSide = 4 } = c;
  return fc.array(fc.integer({ min: minSide, max: maxSide }), { minLength: minDims, maxLength: maxDims });
}

/**
 * `k` shapes that broadcast together (NumPy rules), with their broadcast: each drops some leading
 * dimensions of a shape drawn from `from` and sets some sides to 1.
 */
export function broadcastingShapes(k: number, from: fc.Arbitrary<Shape> = shapes()): fc.Arbitrary<{ shapes: Shape[]; out: Shape }> {
  return from.chain((base) =>
    fc
      .tuple(
        ...globalThis.Array.from({ length: k }, () =>
          fc.tuple(fc.integer({ min: 0, max: base.length }), fc.array(fc.boolean(), { minLength: base.length, maxLength: base.length })),
        ),
      )
      .map((specs) => {
        const list = specs.map(([drop, ones]) => base.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));
        // The broadcast may be smaller than `base` (every shape dropped an axis or made it 1).
        const nd = Math.max(0, ...list.map((s) => s.length));
        const out = globalThis.Array.from({ length: nd }, (_, i) => {
          let d = 1;
          for (const s of list) {
            const j = i - (nd - s.length);
            if (j >= 0 && s[j] !== 1) d = s[j]!;
          }
          return d;
        });
        return { shapes: list, out };
      }),
  );
}

/** Two shapes that broadcast together. */
export function broadcastableShapes(c: ShapeConstraints = {}): fc.Arbitrary<[Shape, Shape]> {
  return broadcastingShapes(2, shapes(c)).map(({ shapes: [a, b] }) => [a!, b!]);
}

/** An axis of an array of `ndim` dimensions (ndim >= 1); `negative` also yields -ndim..-1. */
export function axes(ndim: number, c: { negative?: boolean } = {}): fc.Arbitrary<number> {
  if (ndim < 1) throw new Error(`axes: an array of dimension ${ndim} has no axis`);
  return fc.integer({ min: c.negative ? -ndim : 0, max: ndim - 1 });
}

/** A sorted set of distinct axes of an array of `ndim` dimensions (possibly empty unless minLength). */
export function axisSets(ndim: number, c: { minLength?: number; maxLength?: number } = {}): fc.Arbitrary<number[]> {
  const all = [...globalThis.Array(ndim).keys()];
  return fc.subarray(all, { minLength: c.minLength ?? 0, maxLength: c.maxLength ?? ndim });
}

export interface ValueConstraints {
  /** Smallest value (default -3 for floats, -8 for signed ints, 0 for unsigned). */
  min?: number;
  /** Largest value (default 3 for floats, 8 for ints). */
  max?: number;
  /** Values pairwise at least (max - min) / 1024 apart: for sort, max, cummax, ... whose derivative jumps at ties. */
  distinct?: boolean;
  /** Values to stay away from (kinks and poles: 0 for abs, integers for floor); return true to reject a value. */
  exclude?: (v: number) => boolean;
  /** Only integral values, also for floating dtypes. */
  integer?: boolean;
}

export interface ArrayConstraints extends ValueConstraints {
  /** A shape, or an arbitrary of shapes (default `shapes()`). */
  shape?: readonly number[] | fc.Arbitrary<readonly number[]>;
  /** A dtype, or an arbitrary of dtypes (default float32). */
  dtype?: DtypeLike | fc.Arbitrary<Dtype>;
}

const GRID = 1 << 16;
const DISTINCT_GRID = 1024;

function range(dtype: Dtype, c: ValueConstraints): [number, number] {
  const lim = dtypeLimits(dtype);
  const lo = c.min ?? (dtype.kind === 'float' ? -3 : dtype.kind === 'int' ? -8 : 0);
  const hi = c.max ?? (dtype.kind === 'float' ? 3 : dtype.kind === 'bool' ? 1 : 8);
  const a = Math.max(lo, lim.min),
    b = Math.min(hi, lim.max);
  if (!(a <= b)) throw new Error(`arrays: empty value range [${lo}, ${hi}] for ${dtype.name}`);
  return [a, b];
}

/** One element value of `dtype` in the constrained range. */
export function scalars(dtype: DtypeLike, c: ValueConstraints = {}): fc.Arbitrary<number> {
  const dt = toDtype(dtype, 'scalars');
  if (dt.kind === 'bool') return fc.boolean().map((b) => (b ? 1 : 0));
  const [lo, hi] = range(dt, c);
  let arb: fc.Arbitrary<number>;
  if (dt.kind !== 'float' || c.integer) {
    const a = Math.ceil(lo),
      b = Math.floor(hi);
    if (c.exclude && b - a <= 4096) {
      // Few candidates: list the allowed ones, so that an exclusion cannot make generation spin.
      const allowed: number[] = [];
      for (let v = a; v <= b; v++) if (!c.exclude(v)) allowed.push(v);
      if (allowed.length === 0) throw new Error(`scalars: every integer in [${a}, ${b}] is excluded`);
      return fc.constantFrom(...allowed);
    }
    arb = fc.noBias(fc.integer({ min: a, max: b }));
  } else {
    arb = fc.noBias(fc.integer({ min: 0, max: GRID })).map((k) => roundToDtype(lo + ((hi - lo) * k) / GRID, dt));
  }
  return c.exclude ? arb.filter((v) => !c.exclude!(v)) : arb;
}

/** `size` element values; with `distinct`, pairwise at least (max - min) / 1024 apart. */
export function values(size: number, dtype: DtypeLike, c: ValueConstraints = {}): fc.Arbitrary<number[]> {
  const dt = toDtype(dtype, 'values');
  if (!c.distinct || size <= 1 || dt.kind === 'bool') return fc.array(scalars(dt, c), { minLength: size, maxLength: size });
  const [lo, hi] = range(dt, c);
  const integral = dt.kind !== 'float' || c.integer;
  const n = integral ? Math.floor(hi) - Math.ceil(lo) : DISTINCT_GRID;
  const toValue = (k: number) => (integral ? Math.ceil(lo) + k : roundToDtype(lo + ((hi - lo) * (k + 0.5)) / DISTINCT_GRID, dt));
  let candidates = fc.noBias(fc.integer({ min: 0, max: n - (integral ? 0 : 1) })).map(toValue);
  if (c.exclude) candidates = candidates.filter((v) => !c.exclude!(v));
  if (integral && n + 1 < size) throw new Error(`values: cannot draw ${size} distinct integers from [${lo}, ${hi}]`);
  return fc.uniqueArray(candidates, { minLength: size, maxLength: size });
}

/** Makes an evaluated array from host values; it prints as its values in counterexamples. */
export function arrayFromValues(vals: readonly number[], shape: readonly number[], dtype: DtypeLike): Array {
  const dt = toDtype(dtype, 'arrayFromValues');
  if (vals.length !== shapeSize(shape)) throw new Error(`arrayFromValues: ${vals.length} values for shape [${shape.join(',')}]`);
  return printable(fromHostData(encodeHost(vals, dt), shape.slice(), dt));
}

/** Lets fast-check print an Array as its values (not its internals) in a counterexample. */
export function printable<T extends Array>(a: T): T {
  if (!Object.prototype.hasOwnProperty.call(a, fc.toStringMethod)) {
    Object.defineProperty(a, fc.toStringMethod, { value: () => safeString(a), enumerable: false });
  }
  return a;
}

function safeString(a: Array): string {
  try {
    return `array(${JSON.stringify(a.tolist())}, ${a.dtype.name})`;
  } catch {
    return `array(shape=[${a.shape.join(',')}], ${a.dtype.name})`;
  }
}

/** Arrays of a shape (or shapes) and dtype (or dtypes) with values in a controlled range. */
export function arrays(c: ArrayConstraints = {}): fc.Arbitrary<Array> {
  const shapeArb: fc.Arbitrary<readonly number[]> = c.shape === undefined ? shapes() : isArbitrary(c.shape) ? c.shape : fc.constant(c.shape);
  const dtypeArb: fc.Arbitrary<Dtype> =
    c.dtype === undefined ? fc.constant(toDtype('float32')) : isArbitrary(c.dtype) ? c.dtype : fc.constant(toDtype(c.dtype, 'arrays'));
  return fc.tuple(shapeArb, dtypeArb).chain(([shape, dtype]) => values(shapeSize(shape), dtype, c).map((v) => arrayFromValues(v, shape, dtype)));
}

function isArbitrary<T>(x: unknown): x is fc.Arbitrary<T> {
  return x instanceof fc.Arbitrary;
}

/** Integer index arrays for an axis of length `n` (wrapping negatives included unless `negative: false`). */
export function indices(
  shape: readonly number[] | fc.Arbitrary<readonly number[]>,
  n: number,
  c: { dtype?: DtypeLike | fc.Arbitrary<Dtype>; negative?: boolean; outOfRange?: boolean } = {},
): fc.Arbitrary<Array> {
  const dtypeArb = c.dtype === undefined ? fc.constant(toDtype('int32')) : isArbitrary<Dtype>(c.dtype) ? c.dtype : fc.constant(toDtype(c.dtype, 'indices'));
  const shapeArb = isArbitrary<readonly number[]>(shape) ? shape : fc.constant(shape);
  return fc.tuple(shapeArb, dtypeArb).chain(([s, dt]) => {
    const lo = dt.kind === 'uint' || c.negative === false ? 0 : -n;
    const extra = c.outOfRange ? 2 : 0;
    const hi = n - 1 + extra;
    return fc
      .array(fc.integer({ min: lo - (dt.kind === 'uint' ? 0 : extra), max: hi }), { minLength: shapeSize(s), maxLength: shapeSize(s) })
      .map((v) => arrayFromValues(v, s, dt));
  });
}
