/** Cumulative ops: cumsum, cumprod, cummax, cummin, logcumsumexp (MLX's `Scan`). */
import type { Array } from '../array.js';
import type { StreamOrDevice } from '../device.js';
import { float32, int32 } from '../dtype.js';
import { node } from '../graph.js';
import type { Scan } from '../ir/primitives.js';
import { normalizeAxis } from '../shape.js';
import { type ArrayInput, astype, parseOpts, toArray } from './convert.js';

export interface ScanOpts {
  /** The axis to scan; undefined or null scans the flattened array. */
  axis?: number | null;
  /** Scan from the end (default false). */
  reverse?: boolean;
  /** Include the element itself (default true); exclusive scans start from the identity. */
  inclusive?: boolean;
  stream?: StreamOrDevice;
}

function scan(prim: Scan, fn: string, x: ArrayInput, rest: unknown[]): Array {
  const o = parseOpts(fn, rest, ['axis', 'reverse', 'inclusive'] as const);
  let a = toArray(fn, x);
  const stream = o.stream;
  let axis: number;
  if (o.axis === undefined || o.axis === null) {
    if (a.ndim !== 1) a = node('reshape', [a], { shape: [a.size] }, stream);
    axis = 0;
  } else {
    axis = normalizeAxis(fn, o.axis, a.ndim);
  }
  if ((prim === 'cumsum' || prim === 'cumprod') && a.dtype.kind === 'bool') a = astype(a, int32, stream);
  if (prim === 'logcumsumexp' && !a.dtype.isFloating) a = astype(a, float32, stream);
  return node(prim, [a], { axis, reverse: o.reverse ?? false, inclusive: o.inclusive ?? true }, stream);
}

type ScanRest = [axis?: number | null | ScanOpts, opts?: ScanOpts] | [axis: number | null | undefined, reverse?: boolean, inclusive?: boolean, opts?: ScanOpts];

/** Cumulative sum along `axis` (flattened when omitted); bool sums to int32. */
export function cumsum(a: ArrayInput, ...rest: ScanRest): Array {
  return scan('cumsum', 'cumsum', a, rest);
}
/** Cumulative product along `axis` (flattened when omitted); bool multiplies to int32. */
export function cumprod(a: ArrayInput, ...rest: ScanRest): Array {
  return scan('cumprod', 'cumprod', a, rest);
}
/** Cumulative maximum along `axis` (flattened when omitted). */
export function cummax(a: ArrayInput, ...rest: ScanRest): Array {
  return scan('cummax', 'cummax', a, rest);
}
/** Cumulative minimum along `axis` (flattened when omitted). */
export function cummin(a: ArrayInput, ...rest: ScanRest): Array {
  return scan('cummin', 'cummin', a, rest);
}
/**
 * Cumulative `log(sum(exp(a)))` along `axis` (flattened when omitted), MLX's `logcumsumexp`:
 * each step is a numerically stable log-add-exp (the larger term factored out), accumulated in
 * float64, so large and very negative values neither overflow nor lose the smaller terms.
 * An exclusive scan starts from -inf (the log of an empty sum). Integers and bool compute in float32.
 */
export function logcumsumexp(a: ArrayInput, ...rest: ScanRest): Array {
  return scan('logcumsumexp', 'logcumsumexp', a, rest);
}
