import type { Array } from '../../array.js';
import type { StreamOrDevice } from '../../device.js';
import { float32, int32 } from '../../dtype.js';
import { describeValue } from '../../describe.js';
import { node } from '../../graph.js';
import { fmtShape } from '../../shape.js';
import { array, type ArrayInput, astype, parseOpts, toArray } from '../convert.js';

/** `rope`'s options; MLX makes all but `freqs` required keywords. */
export interface RopeOpts {
  /** Rotate consecutive pairs (2i, 2i + 1) of the features; otherwise pairs (i, i + dims / 2). */
  traditional: boolean;
  /** The base of the angular frequencies, base^(-2i / dims); null when `freqs` is given. */
  base: number | null;
  /** Multiplies the positions. */
  scale: number;
  /** The first position: an integer, or an integer array that is a scalar or has one entry per batch row (x's first axis). */
  offset: number | ArrayInput;
  /** The dims / 2 frequencies to use instead of `base` (the angle of pair i is position / freqs[i]). */
  freqs?: ArrayInput | null;
  stream?: StreamOrDevice | null;
}

const isIntegerOrArray = { what: 'an integer or an integer array', test: (v: unknown) => Number.isInteger(v) || (typeof v === 'object' && v !== null) };

/**
 * MLX's `mx.fast.rope`: rotary positional encoding. x is [B, ..., T, D]; position t of batch row b
 * is `(offset[b] + t) * scale`, and feature pair i of the first `dims` features is rotated by the
 * angle position * base^(-2i / dims) (or position / freqs[i]). Features from `dims` on pass through.
 *
 * @param a - The input, at least 3-D, floating.
 * @param dims - How many features (of the last axis) to rotate: positive, even, at most D.
 * @param opts - `traditional`, `base`, `scale`, `offset` (required, as in MLX), `freqs`, `stream`.
 * @returns An array of a's shape and dtype.
 */
export function rope(a: ArrayInput, dims: number, opts: RopeOpts): Array {
  const fn = 'rope';
  const proto: unknown = typeof opts === 'object' && opts !== null ? Object.getPrototypeOf(opts) : undefined;
  if (proto !== Object.prototype && proto !== null) {
    throw new Error(`${fn}: expected an options object { traditional, base, scale, offset } after dims, got ${describeValue(opts)}`);
  }
  const o = parseOpts(fn, [opts], ['traditional', 'base', 'scale', 'offset', 'freqs'], {
    traditional: 'bool',
    base: 'number',
    scale: 'number',
    offset: isIntegerOrArray,
    freqs: 'array',
  });
  for (const k of ['traditional', 'scale', 'offset'] as const) {
    if (o[k] === undefined || o[k] === null) throw new Error(`${fn}: the option ${k} is required (as in MLX), got ${describeValue(o[k])}`);
  }
  if (!('base' in opts)) throw new Error(`${fn}: the option base is required (as in MLX): a number, or null when freqs is given`);
  const s = o.stream;
  const x = toArray(fn, a);
  if (x.ndim < 3) throw new Error(`${fn}: expected the input to have at least 3 dimensions ([B, ..., T, D]), got shape ${fmtShape(x.shape)}`);
  if (!x.dtype.isFloating) throw new Error(`${fn}: expected a floating input, got ${x.dtype.name}`);
  const d = x.shape[x.ndim - 1]!;
  if (!Number.isInteger(dims) || dims <= 0 || dims % 2 !== 0 || dims > d) {
    throw new Error(`${fn}: expected dims to be a positive even integer at most the last dimension (${d}), got ${describeValue(dims)}`);
  }
  const off = typeof o.offset === 'number' ? array(o.offset, int32) : toArray(fn, o.offset as ArrayInput);
  if (off.ndim > 1 || (off.size !== 1 && off.size !== x.shape[0])) {
    throw new Error(`${fn}: expected offset to be a scalar or to have ${x.shape[0]} entries (x's first axis), got shape ${fmtShape(off.shape)}`);
  }
  if (!off.dtype.isInteger) throw new Error(`${fn}: expected an integer offset, got dtype ${off.dtype.name}`);
  const inputs = [x, astype(off, int32, s)];
  const freqs = o.freqs;
  if (freqs !== undefined && freqs !== null) {
    if (o.base !== null) throw new Error(`${fn}: only one of base and freqs may be given (set base to null), got base ${describeValue(o.base)}`);
    const f = toArray(fn, freqs as ArrayInput);
    if (f.ndim !== 1 || f.shape[0] !== dims / 2) throw new Error(`${fn}: expected freqs to have shape [${dims / 2}] (dims / 2), got ${fmtShape(f.shape)}`);
    inputs.push(astype(f, float32, s));
  } else if (o.base === null) {
    throw new Error(`${fn}: one of base and freqs must be given, got base null and no freqs`);
  }
  return node(
    'rope',
    inputs,
    { dims, traditional: o.traditional as boolean, base: (o.base as number | null) ?? 1, scale: o.scale as number, forward: true },
    s,
  );
}
