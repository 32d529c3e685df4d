/**
 * fast-check arbitraries for the conformance suite: shapes (0-d and empty dims included),
 * broadcastable shape tuples, dtypes, axes, host inputs with their values and a memory layout
 * (contiguous, transposed, sliced with positive or negative steps, broadcast) so that kernels see
 * strided data.
 *
 * Values come from a seeded PRNG: fast-check shrinks shapes and layouts, and one seed per input.
 */
import fc from 'fast-check';
import { dtypeLimits, toDtype, type DtypeName } from '@mlx-ts/core';
import { axes, broadcastingShapes, seededRandom } from '@mlx-ts/testing';
import { FLOAT_NAMES, roundAll, size, stridesOf, unravel, ravel, type Shape } from './host.js';

export { fc };

/** Scales numRuns: MLX_TS_SOAK=N multiplies every property's runs by N (MLX_TS_SOAK=1 means x10). */
export function runs(n: number): number {
  const soak = process.env.MLX_TS_SOAK;
  if (!soak) return n;
  const k = Number(soak);
  return n * (Number.isFinite(k) && k > 1 ? k : 10);
}

export interface ShapeOpts {
  minRank?: number;
  maxRank?: number;
  maxDim?: number;
  minDim?: number;
  /** Probability weight of a 0-length dim (0 disables). */
  empty?: boolean;
  maxSize?: number;
}

/** Shapes of rank minRank..maxRank, dims 1..maxDim and (rarely) 0. */
export function shapeArb(o: ShapeOpts = {}): fc.Arbitrary<number[]> {
  const { minRank = 0, maxRank = 4, maxDim = 5, minDim = 0, empty = true, maxSize = 400 } = o;
  const dim =
    empty && minDim === 0
      ? fc.oneof({ arbitrary: fc.integer({ min: Math.max(1, minDim), max: maxDim }), weight: 12 }, { arbitrary: fc.constant(0), weight: 1 })
      : fc.integer({ min: Math.max(1, minDim), max: maxDim });
  return fc.array(dim, { minLength: minRank, maxLength: maxRank }).filter((s) => size(s) <= maxSize);
}

/** `k` shapes that broadcast together, with the broadcast result (the kit's, over this suite's shapes). */
export function broadcastShapesArb(k: number, o: ShapeOpts = {}): fc.Arbitrary<{ shapes: number[][]; out: number[] }> {
  return broadcastingShapes(k, shapeArb(o)).map(({ shapes, out }) => ({ shapes: shapes.map((s) => s.slice()), out: out.slice() }));
}

export const dtypeNameArb = (names: readonly DtypeName[]): fc.Arbitrary<DtypeName> => fc.constantFrom(...names);

/** An axis in [-ndim, ndim). */
export const axisArb = (ndim: number): fc.Arbitrary<number> => axes(ndim, { negative: true });

/** undefined (all axes), one axis, or a list of distinct axes (each possibly negative). */
export function axesArb(ndim: number): fc.Arbitrary<number | number[] | undefined> {
  const all = globalThis.Array.from({ length: ndim }, (_, i) => i);
  const neg = (a: number, flip: boolean) => (flip ? a - ndim : a);
  const list = fc
    .tuple(fc.shuffledSubarray(all), fc.array(fc.boolean(), { minLength: ndim, maxLength: ndim }))
    .map(([axes, flips]) => axes.map((a, i) => neg(a, flips[i]!)));
  const arbs: fc.Arbitrary<number | number[] | undefined>[] = [fc.constant(undefined), list];
  if (ndim > 0) arbs.push(axisArb(ndim));
  return fc.oneof(...arbs);
}

// ---------------------------------------------------------------- values

export interface ValueSpec {
  /** Range of ordinary values; ints are also clamped to the dtype's range. */
  min?: number;
  max?: number;
  /** Probability that an element is one of `specials` instead. */
  pSpecial?: number;
  specials?: readonly number[];
  /** Floats: integral values only. */
  integral?: boolean;
  /** Floats: ordinary values are multiples of this (e.g. 0.25, so that quotients are exact). */
  quantum?: number;
  /** Values to avoid (e.g. 0 for a divisor): replaced by 1. */
  avoid?: readonly number[];
}

/** Specials for any float op: NaN, infinities, signed zeros, halfway cases, and subnormals of each float dtype. */
export const FLOAT_SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 0.5, -0.5, 1.5, -2.5, 1, -1, 1e-6, -3e-8, 1e-40, -1e-310] as const;
/** FLOAT_SPECIALS plus values near each dtype's overflow (for ops that do not accumulate). */
export const WIDE_SPECIALS = [...FLOAT_SPECIALS, 6e4, -65504, 3e38, -1e300] as const;
export const FINITE_SPECIALS = [0, -0, 0.5, -0.5, 1.5, -2.5, 1, -1, 2] as const;

const INT64_SAFE = 2 ** 52;

/** Default value range of a dtype. */
export function defaultRange(d: DtypeName): { min: number; max: number } {
  if (FLOAT_NAMES.includes(d)) return { min: -10, max: 10 };
  if (d === 'int64') return { min: -INT64_SAFE, max: INT64_SAFE };
  return dtypeLimits(toDtype(d));
}

export function genValues(dtype: DtypeName, n: number, spec: ValueSpec, seed: number): number[] {
  const rnd = seededRandom(seed);
  const isFloat = FLOAT_NAMES.includes(dtype);
  const lim = dtype === 'int64' ? { min: -INT64_SAFE, max: INT64_SAFE } : dtypeLimits(toDtype(dtype));
  const def = defaultRange(dtype);
  let lo = spec.min ?? def.min;
  let hi = spec.max ?? def.max;
  if (!isFloat) {
    lo = Math.max(Math.ceil(lo), lim.min);
    hi = Math.min(Math.floor(hi), lim.max);
  }
  const specials = spec.specials ?? (isFloat ? FLOAT_SPECIALS : dtype === 'bool' ? [0, 1] : [0, 1, lo, hi, -1].filter((v) => v >= lo && v <= hi));
  const pSpecial = spec.pSpecial ?? (isFloat ? 0.1 : 0.15);
  const out = new globalThis.Array<number>(n);
  for (let i = 0; i < n; i++) {
    let v: number;
    if (dtype === 'bool') v = rnd() < 0.5 ? 1 : 0;
    else if (specials.length > 0 && rnd() < pSpecial) v = specials[Math.floor(rnd() * specials.length)]!;
    else if (isFloat) {
      v = lo + (hi - lo) * rnd();
      if (spec.integral) v = Math.round(v);
      else if (spec.quantum) v = Math.round(v / spec.quantum) * spec.quantum;
    } else v = Math.floor(lo + (hi - lo + 1) * rnd());
    if (!isFloat && dtype !== 'bool') v = Math.min(hi, Math.max(lo, v));
    if (spec.avoid?.some((a) => Object.is(a, v) || a === v)) v = 1;
    out[i] = v;
  }
  return roundAll(out, toDtype(dtype));
}

// ---------------------------------------------------------------- layouts

export type Layout =
  | { readonly kind: 'contiguous' }
  /** Stored as transpose(x, perm), then transposed back: the kernel sees permuted strides. */
  | { readonly kind: 'transpose'; readonly perm: readonly number[] }
  /** Stored inside a larger buffer, read through a slice with these steps (negative: reversed). */
  | { readonly kind: 'slice'; readonly steps: readonly number[]; readonly pads: readonly number[] }
  /** Stored with size 1 on `axes`, broadcast to the shape (stride 0). */
  | { readonly kind: 'broadcast'; readonly axes: readonly number[] };

export function layoutArb(shape: Shape, allowed: readonly Layout['kind'][] = ['contiguous', 'transpose', 'slice', 'broadcast']): fc.Arbitrary<Layout> {
  const nd = shape.length;
  const arbs: { arbitrary: fc.Arbitrary<Layout>; weight: number }[] = [];
  if (allowed.includes('contiguous') || nd === 0) arbs.push({ arbitrary: fc.constant({ kind: 'contiguous' }), weight: 2 });
  if (nd >= 2 && allowed.includes('transpose')) {
    const axes = globalThis.Array.from({ length: nd }, (_, i) => i);
    arbs.push({ arbitrary: fc.shuffledSubarray(axes, { minLength: nd, maxLength: nd }).map((perm) => ({ kind: 'transpose', perm }) as Layout), weight: 2 });
  }
  if (nd >= 1 && allowed.includes('slice')) {
    arbs.push({
      arbitrary: fc
        .tuple(
          fc.array(fc.constantFrom(1, 2, -1, -2, 3), { minLength: nd, maxLength: nd }),
          fc.array(fc.integer({ min: 0, max: 2 }), { minLength: nd, maxLength: nd }),
        )
        .map(([steps, pads]) => ({ kind: 'slice', steps, pads }) as Layout),
      weight: 3,
    });
  }
  if (nd >= 1 && allowed.includes('broadcast')) {
    const axes = globalThis.Array.from({ length: nd }, (_, i) => i);
    arbs.push({ arbitrary: fc.shuffledSubarray(axes, { minLength: 1 }).map((a) => ({ kind: 'broadcast', axes: a.sort() }) as Layout), weight: 1 });
  }
  return fc.oneof(...arbs);
}

/** One input of an op: logical shape, dtype, logical row-major values, and how it is stored. */
export interface HostInput {
  readonly shape: readonly number[];
  readonly dtype: DtypeName;
  readonly values: readonly number[];
  readonly layout: Layout;
}

/** Makes values constant along broadcast axes so that the broadcast layout reproduces them. */
function applyBroadcastValues(values: number[], shape: Shape, layout: Layout): number[] {
  if (layout.kind !== 'broadcast') return values;
  const out = values.slice();
  for (let f = 0; f < out.length; f++) {
    const idx = unravel(f, shape);
    for (const a of layout.axes) idx[a] = 0;
    out[f] = values[ravel(idx, shape)]!;
  }
  return out;
}

export interface InputOpts extends ValueSpec {
  layouts?: readonly Layout['kind'][];
}

export function inputArb(shape: Shape, dtype: DtypeName, o: InputOpts = {}): fc.Arbitrary<HostInput> {
  return fc.tuple(layoutArb(shape, o.layouts), fc.integer({ min: 0, max: 0x7fffffff })).map(([layout, seed]) => {
    const values = applyBroadcastValues(genValues(dtype, size(shape), o, seed), shape, layout);
    return { shape: shape.slice(), dtype, values, layout };
  });
}

/** An input with a contiguous layout and given values (for hand-written cases). */
export function hostInput(shape: Shape, dtype: DtypeName, values: readonly number[], layout: Layout = { kind: 'contiguous' }): HostInput {
  if (values.length !== size(shape)) throw new Error(`hostInput: ${values.length} values for shape [${shape}]`);
  return { shape: shape.slice(), dtype, values: roundAll(values.slice(), toDtype(dtype)), layout };
}

/** Base buffer description for a layout: its shape, and where each logical element sits in it. */
export function layoutPlan(input: HostInput): { baseShape: number[]; place: (logical: number[]) => number[]; filler: number } {
  const { shape, layout } = input;
  switch (layout.kind) {
    case 'contiguous':
      return { baseShape: shape.slice(), place: (l) => l, filler: 0 };
    case 'transpose': {
      const baseShape = layout.perm.map((p) => shape[p]!);
      return { baseShape, place: (l) => layout.perm.map((p) => l[p]!), filler: 0 };
    }
    case 'broadcast': {
      const baseShape = shape.map((d, i) => (layout.axes.includes(i) ? 1 : d));
      return { baseShape, place: (l) => l.map((v, i) => (layout.axes.includes(i) ? 0 : v)), filler: 0 };
    }
    case 'slice': {
      const baseShape = shape.map((d, i) => Math.abs(layout.steps[i]!) * d + layout.pads[i]!);
      const starts = shape.map((d, i) => sliceStart(d, layout.steps[i]!, layout.pads[i]!));
      return { baseShape, place: (l) => l.map((v, i) => starts[i]! + v * layout.steps[i]!), filler: 7 };
    }
  }
}

function sliceStart(d: number, step: number, pad: number): number {
  if (step > 0) return Math.min(pad, 1);
  return Math.abs(step) * d - 1 + Math.min(pad, 1);
}

/** The slice string for axis i of a slice layout, for `x.index(...)`. */
export function sliceString(d: number, step: number, pad: number): string {
  if (d === 0) return `0:0:${step}`;
  const start = sliceStart(d, step, pad);
  if (step > 0) return `${start}:${start + (d - 1) * step + 1}:${step}`;
  const last = start + (d - 1) * step; // >= 0
  // Python slice semantics: a stop of -1 would mean "the end", so leave the stop out when
  // nothing lies below the last element (this also exercises '::-1').
  if (last + step < 0) return start === Math.abs(step) * d - 1 + pad ? `::${step}` : `${start}::${step}`;
  return `${start}:${last - 1}:${step}`;
}

/** Base buffer values for a layout, with the filler everywhere no logical element lands. */
export function baseValues(input: HostInput): { baseShape: number[]; values: number[] } {
  const { baseShape, place, filler } = layoutPlan(input);
  const values = new globalThis.Array<number>(size(baseShape)).fill(filler);
  const n = size(input.shape);
  for (let f = 0; f < n; f++) values[ravel(place(unravel(f, input.shape)), baseShape)] = input.values[f]!;
  void stridesOf;
  return { baseShape, values };
}

export type SpecFor = InputOpts | ((d: DtypeName) => InputOpts);
const specOf = (s: SpecFor | undefined, d: DtypeName): InputOpts => (typeof s === 'function' ? s(d) : (s ?? {}));

/** One input: a dtype from `dtypes`, a shape, values per `spec`, and a layout. */
export function unaryArb(dtypes: readonly DtypeName[], spec?: SpecFor, shape: ShapeOpts = {}): fc.Arbitrary<HostInput> {
  return fc.tuple(dtypeNameArb(dtypes), shapeArb(shape)).chain(([d, s]) => inputArb(s, d, specOf(spec, d)));
}

/** `k` inputs of one dtype (or of the dtypes `pick` chooses) with broadcastable shapes. */
export function broadcastInputsArb(
  k: number,
  dtypes: readonly DtypeName[] | fc.Arbitrary<DtypeName[]>,
  specs: readonly (SpecFor | undefined)[] = [],
  shape: ShapeOpts = {},
): fc.Arbitrary<{ inputs: HostInput[]; out: number[] }> {
  const dts: fc.Arbitrary<DtypeName[]> = globalThis.Array.isArray(dtypes)
    ? dtypeNameArb(dtypes as readonly DtypeName[]).map((d) => globalThis.Array.from({ length: k }, () => d))
    : (dtypes as fc.Arbitrary<DtypeName[]>);
  return fc
    .tuple(dts, broadcastShapesArb(k, shape))
    .chain(([ds, { shapes, out }]) => fc.tuple(...shapes.map((s, i) => inputArb(s, ds[i]!, specOf(specs[i], ds[i]!)))).map((inputs) => ({ inputs, out })));
}
