/**
 * Host-side tensors for tests: plain row-major number arrays with a shape and a dtype, plus the
 * small amount of index arithmetic the layout makers and the checks need.
 */
import { roundToDtype, type Dtype, type DtypeName } from '@mlx-ts/core';

export type Shape = readonly number[];

export function size(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: Shape): number[] {
  const s = new globalThis.Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Multi-index of flat position `flat` in a row-major `shape`. */
export function unravel(flat: number, shape: Shape): number[] {
  const idx = new globalThis.Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    idx[i] = flat % d;
    flat = Math.floor(flat / d);
  }
  return idx;
}

export function ravel(idx: readonly number[], shape: Shape): number {
  let flat = 0;
  for (let i = 0; i < shape.length; i++) flat = flat * shape[i]! + idx[i]!;
  return flat;
}

/** Host transpose: out[j...] = x[l...] with l[perm[j]] = j-th coordinate. */
export function hostTranspose(values: readonly number[], shape: Shape, perm: readonly number[]): { values: number[]; shape: number[] } {
  const outShape = perm.map((p) => shape[p]!);
  const n = size(shape);
  const out = new globalThis.Array<number>(n);
  const inStrides = stridesOf(shape);
  for (let f = 0; f < n; f++) {
    const j = unravel(f, outShape);
    let src = 0;
    for (let k = 0; k < perm.length; k++) src += j[k]! * inStrides[perm[k]!]!;
    out[f] = values[src]!;
  }
  return { values: out, shape: outShape };
}

export const FLOAT_NAMES: readonly DtypeName[] = ['float16', 'bfloat16', 'float32', 'float64'];
export const INT_NAMES: readonly DtypeName[] = ['uint8', 'uint16', 'uint32', 'int8', 'int16', 'int32', 'int64'];
export const ALL_NAMES: readonly DtypeName[] = ['bool', ...INT_NAMES, ...FLOAT_NAMES];

export function isFloatName(d: DtypeName): boolean {
  return FLOAT_NAMES.includes(d);
}
export function isIntName(d: DtypeName): boolean {
  return INT_NAMES.includes(d);
}

/** Rounds host values to what the dtype stores exactly. */
export function roundAll(values: readonly number[], dtype: Dtype): number[] {
  return values.map((v) => roundToDtype(v, dtype));
}

/** Number of elements printed in failure messages. */
export function preview(values: ArrayLike<number | bigint>, max = 24): string {
  const out: string[] = [];
  for (let i = 0; i < Math.min(values.length, max); i++) out.push(fmtNum(values[i]!));
  return `[${out.join(', ')}${values.length > max ? `, ... (${values.length})` : ''}]`;
}

export function fmtNum(v: number | bigint): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (Object.is(v, -0)) return '-0';
  return String(v);
}
