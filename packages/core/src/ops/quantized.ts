/**
 * MLX's affine quantization. A matrix is quantized along its last axis in groups of `groupSize`
 * elements: each group keeps a scale and a bias (in the matrix's dtype) and one `bits`-bit code per
 * element, w ≈ code * scale + bias. The codes of a row form one little-endian bit stream (code i at
 * bits [i*bits, (i+1)*bits)) packed into uint32 words, so 3-, 5- and 6-bit codes straddle words,
 * exactly as MLX writes them: weights quantized by MLX load here and the reverse.
 *
 * `quantize` and `dequantize` are compositions of ops (MLX's CPU kernel's float32 arithmetic, step
 * for step); `quantizedMatmul` is a primitive whose kernels multiply from the packed words.
 */
import type { Array } from '../array.js';
import type { StreamOrDevice } from '../device.js';
import { type Dtype, float32, promoteTypes, toDtype, uint32 } from '../dtype.js';
import { node } from '../graph.js';
import { fmtShape } from '../shape.js';
import { type ArrayInput, astype, type DtypeLike, parseOpts, toArray } from './convert.js';
import { abs, clip, divide, greater, maximum, negative, notEqual, round, subtract, where } from './elementwise.js';
import { max, min } from './reduction.js';
import { reshape } from './shape.js';
import { dequantized, pack } from './quantized-codes.js';

/** The group sizes MLX's affine mode supports. */
export const quantizationGroupSizes = [32, 64, 128] as const;
/** The code widths MLX's affine mode supports. */
export const quantizationBits = [2, 3, 4, 5, 6, 8] as const;
const modes = ['affine', 'mxfp4', 'mxfp8', 'nvfp4'] as const;

const kinds = { groupSize: 'positive', bits: 'positive', mode: modes, transpose: 'bool', dtype: 'dtype' } as const;

function checkParams(fn: string, groupSize: unknown, bits: unknown, mode: unknown): { groupSize: number; bits: number } {
  if (mode !== undefined && mode !== null && mode !== 'affine') {
    throw new Error(`${fn}: not implemented yet: quantization mode '${String(mode)}' (only 'affine' is built)`);
  }
  // parseOpts has checked both are positive integers.
  const gs = (groupSize ?? 64) as number;
  const b = (bits ?? 4) as number;
  if (!(quantizationGroupSizes as readonly number[]).includes(gs)) {
    throw new Error(`${fn}: groupSize must be one of ${quantizationGroupSizes.join(', ')}, got ${gs}`);
  }
  if (!(quantizationBits as readonly number[]).includes(b)) {
    throw new Error(`${fn}: bits must be one of ${quantizationBits.join(', ')}, got ${b}`);
  }
  return { groupSize: gs, bits: b };
}

/** Options of {@link quantize}, MLX's keyword arguments. */
export interface QuantizeOpts {
  groupSize?: number | null;
  bits?: number | null;
  mode?: 'affine' | 'mxfp4' | 'mxfp8' | 'nvfp4' | null;
  stream?: StreamOrDevice | null;
}

/**
 * Quantizes `w` (at least 2-D, floating, last axis a multiple of `groupSize`) along its last axis:
 * `[wq, scales, biases]` with `wq` uint32 of shape `[..., n * bits / 32]` and `scales`/`biases`
 * `[..., n / groupSize]` in `w`'s dtype (MLX's `mx.quantize`, affine mode). Each group's scale and
 * bias map its codes 0..2^bits-1 onto [min, max], with the edge of larger magnitude exact.
 * Defaults: groupSize 64, bits 4.
 */
export function quantize(
  w: ArrayInput,
  ...rest: [groupSize?: number | null | QuantizeOpts, bits?: number | null, mode?: string | null, opts?: { stream?: StreamOrDevice | null }]
): [Array, Array, Array] {
  const fn = 'quantize';
  const o = parseOpts(fn, rest, ['groupSize', 'bits', 'mode'] as const, kinds);
  const { groupSize, bits } = checkParams(fn, o.groupSize, o.bits, o.mode);
  const s = o.stream;
  const x = toArray(fn, w);
  if (!x.dtype.isFloating) throw new Error(`${fn}: only floating arrays can be quantized, got ${x.dtype.name}`);
  if (x.ndim < 2) throw new Error(`${fn}: the matrix must have at least 2 dimensions, got shape ${fmtShape(x.shape)}`);
  const n = x.shape[x.ndim - 1]!;
  if (n % groupSize !== 0) {
    throw new Error(`${fn}: the last axis (${n}, shape ${fmtShape(x.shape)}) must be a multiple of groupSize ${groupSize}`);
  }
  if ((n * bits) % 32 !== 0) throw new Error(`${fn}: the last axis times bits must be a multiple of 32, got ${n} * ${bits}`);
  const lead = x.shape.slice(0, -1);
  const opts = { stream: s ?? undefined };
  const nBins = 2 ** bits - 1;
  const g = reshape(astype(x, float32, s), [...lead, n / groupSize, groupSize], opts);
  const wMax = max(g, -1, true, opts);
  const wMin = min(g, -1, true, opts);
  // MLX's kernel: the edge of larger magnitude becomes an exact code (code 0 when it is the
  // minimum, 2^bits - 1 when it is the maximum, through a negative scale).
  const mask = greater(abs(wMin, opts), abs(wMax, opts), opts);
  let scale = maximum(divide(subtract(wMax, wMin, opts), nBins, opts), 1e-7, opts);
  scale = where(mask, scale, negative(scale, opts), opts);
  const edge = where(mask, wMin, wMax, opts);
  const q0 = round(divide(edge, scale, opts), opts);
  const nonzero = notEqual(q0, 0, opts);
  scale = where(nonzero, divide(edge, q0, opts), scale, opts);
  const bias = where(nonzero, edge, 0, opts);
  const codes = astype(clip(round(divide(subtract(g, bias, opts), scale, opts), opts), 0, nBins, opts), uint32, s);
  const wq = pack(codes, lead, n, bits, s);
  const sb = [...lead, n / groupSize];
  return [wq, astype(reshape(scale, sb, opts), x.dtype, s), astype(reshape(bias, sb, opts), x.dtype, s)];
}

/** Options of {@link dequantize}, MLX's keyword arguments. */
export interface DequantizeOpts extends QuantizeOpts {
  dtype?: DtypeLike | null;
}

function checkPacked(fn: string, w: Array, scales: Array, biases: Array | null, groupSize: number, bits: number): void {
  if (w.dtype !== uint32) throw new Error(`${fn}: the packed matrix must be uint32, got ${w.dtype.name}`);
  if (biases === null) throw new Error(`${fn}: biases must be given for affine quantization, got null`);
  if (biases.dtype !== scales.dtype || fmtShape(biases.shape) !== fmtShape(scales.shape)) {
    throw new Error(
      `${fn}: scales and biases must have one shape and dtype, got ${fmtShape(scales.shape)} ${scales.dtype.name} and ${fmtShape(biases.shape)} ${biases.dtype.name}`,
    );
  }
  if (!scales.dtype.isFloating) throw new Error(`${fn}: scales and biases must be floating, got ${scales.dtype.name}`);
  if (w.ndim < 2) throw new Error(`${fn}: the packed matrix must have at least 2 dimensions, got shape ${fmtShape(w.shape)}`);
  const words = w.shape[w.ndim - 1]!;
  const n = (words * 32) / bits;
  if (
    scales.ndim !== w.ndim ||
    fmtShape(scales.shape.slice(0, -1)) !== fmtShape(w.shape.slice(0, -1)) ||
    !Number.isInteger(n) ||
    scales.shape[scales.ndim - 1]! * groupSize !== n
  ) {
    throw new Error(
      `${fn}: scales and biases of shape ${fmtShape(scales.shape)} do not match the packed matrix of shape ${fmtShape(w.shape)} with groupSize ${groupSize} and bits ${bits} (expected ${fmtShape([...w.shape.slice(0, -1), Math.floor(n / groupSize)])})`,
    );
  }
}

/**
 * Undoes {@link quantize}: `codes * scales + biases` per group, as an array of `[..., words * 32 / bits]`
 * in the scales' dtype, or `dtype` when given (MLX's `mx.dequantize`, affine mode). The product and the
 * sum each round to that dtype, as MLX's own composition does.
 */
export function dequantize(
  w: ArrayInput,
  scales: ArrayInput,
  biases: ArrayInput | null,
  ...rest: [groupSize?: number | null | DequantizeOpts, bits?: number | null, mode?: string | null, opts?: { stream?: StreamOrDevice | null }]
): Array {
  const fn = 'dequantize';
  const o = parseOpts(fn, rest, ['groupSize', 'bits', 'mode', 'dtype'] as const, kinds);
  const { groupSize, bits } = checkParams(fn, o.groupSize, o.bits, o.mode);
  const s = o.stream;
  const wq = toArray(fn, w);
  const sc = toArray(fn, scales);
  const bi = biases === null ? null : toArray(fn, biases);
  checkPacked(fn, wq, sc, bi, groupSize, bits);
  const out: Dtype = o.dtype == null ? sc.dtype : toDtype(o.dtype as DtypeLike);
  if (!out.isFloating) throw new Error(`${fn}: dtype must be floating, got ${out.name}`);
  return astype(dequantized(wq, sc, bi!, groupSize, bits, s), out, s);
}

/** Options of {@link quantizedMatmul}, MLX's keyword arguments. */
export interface QuantizedMatmulOpts extends QuantizeOpts {
  transpose?: boolean | null;
}

/**
 * `x @ dequantize(w, scales, biases).T` (`transpose`, the default: w is [N, K * bits / 32], the layout
 * of `nn.QuantizedLinear`) or `x @ dequantize(...)` (w is [K, N * bits / 32]), computed from the
 * packed words without dequantizing the matrix (MLX's `mx.quantized_matmul`, affine mode). `x` is
 * [..., K]; the result is [..., N] in the promoted dtype of x, scales and biases. Differentiable in
 * x, scales and biases; the packed codes have no gradient. Defaults: groupSize 64, bits 4.
 */
export function quantizedMatmul(
  x: ArrayInput,
  w: ArrayInput,
  scales: ArrayInput,
  biases: ArrayInput | null,
  ...rest: [
    transpose?: boolean | null | QuantizedMatmulOpts,
    groupSize?: number | null,
    bits?: number | null,
    mode?: string | null,
    opts?: { stream?: StreamOrDevice | null },
  ]
): Array {
  const fn = 'quantizedMatmul';
  const o = parseOpts(fn, rest, ['transpose', 'groupSize', 'bits', 'mode'] as const, kinds);
  const { groupSize, bits } = checkParams(fn, o.groupSize, o.bits, o.mode);
  const transpose = (o.transpose ?? true) as boolean;
  const s = o.stream;
  const a = toArray(fn, x);
  const wq = toArray(fn, w);
  const sc = toArray(fn, scales);
  const bi = biases === null ? null : toArray(fn, biases);
  checkPacked(fn, wq, sc, bi, groupSize, bits);
  if (wq.ndim !== 2) throw new Error(`${fn}: not implemented yet: a batched packed matrix (got shape ${fmtShape(wq.shape)}; pass a 2-D one)`);
  if (a.ndim < 1) throw new Error(`${fn}: x must have at least 1 dimension, got a scalar`);
  const dt = promoteTypes(a.dtype, sc.dtype);
  if (!dt.isFloating) throw new Error(`${fn}: only floating x is supported, got ${a.dtype.name}`);
  const unpacked = (wq.shape[1]! * 32) / bits;
  const inner = transpose ? unpacked : wq.shape[0]!;
  const k = a.shape[a.ndim - 1]!;
  if (inner !== k) {
    throw new Error(
      `${fn}: the last axis of x (shape ${fmtShape(a.shape)}) must be ${inner}, the inner size of the packed matrix of shape ${fmtShape(wq.shape)} with bits ${bits} and transpose ${transpose}`,
    );
  }
  return node('quantizedMatmul', [astype(a, dt, s), wq, astype(sc, dt, s), astype(bi!, dt, s)], { groupSize, bits, transpose }, s);
}
