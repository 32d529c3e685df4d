/**
 * MLX's affine packing (see ops/quantized.ts): codes to and from each row's little-endian bit stream
 * of uint32 words, and the dense matrix. Not re-exported: the ops and the quantizedMatmul rules use it.
 */
import type { Array } from '../array.js';
import type { StreamOrDevice } from '../device.js';
import { uint32 } from '../dtype.js';
import { array } from './convert.js';
import { add, bitwiseAnd, bitwiseOr, leftShift, multiply, rightShift } from './elementwise.js';
import { take } from './indexing.js';
import { sum } from './reduction.js';
import { expandDims, reshape } from './shape.js';

type Stream = StreamOrDevice | null | undefined;

const isPowerOfTwo = (b: number): boolean => (b & (b - 1)) === 0;

/** Packs uint32 codes [..., groups, groupSize] into the bit stream of each row. */
export function pack(codes: Array, lead: number[], n: number, bits: number, s: Stream): Array {
  const opts = { stream: s ?? undefined };
  if (isPowerOfTwo(bits)) {
    const per = 32 / bits;
    const shifts = array(
      globalThis.Array.from({ length: per }, (_, i) => i * bits),
      uint32,
    );
    return sum(leftShift(reshape(codes, [...lead, n / per, per], opts), shifts, opts), -1, false, opts);
  }
  // 32 codes fill `bits` words; word j takes code i shifted left by bits*i - 32j (shifts of 32 or
  // more give 0) or, for the code that straddles into it, shifted right by the difference.
  const left: number[] = [];
  const right: number[] = [];
  for (let j = 0; j < bits; j++) {
    for (let i = 0; i < 32; i++) {
      const l = bits * i - 32 * j;
      left.push(Math.max(l, 0));
      right.push(Math.max(-l, 0));
    }
  }
  const blocks = reshape(codes, [...lead, n / 32, 1, 32], opts);
  const parts = rightShift(leftShift(blocks, reshape(array(left, uint32), [bits, 32]), opts), reshape(array(right, uint32), [bits, 32]), opts);
  return reshape(sum(parts, -1, false, opts), [...lead, (n * bits) / 32], opts);
}

/** The codes of packed rows [..., words] as uint32 [..., words * 32 / bits]. */
function unpack(wq: Array, bits: number, s: Stream): Array {
  const opts = { stream: s ?? undefined };
  const lead = wq.shape.slice(0, -1);
  const words = wq.shape[wq.ndim - 1]!;
  const mask = 2 ** bits - 1;
  if (isPowerOfTwo(bits)) {
    const per = 32 / bits;
    const shifts = array(
      globalThis.Array.from({ length: per }, (_, i) => i * bits),
      uint32,
    );
    return reshape(bitwiseAnd(rightShift(expandDims(wq, -1, opts), shifts, opts), mask, opts), [...lead, words * per], opts);
  }
  // Code i of a 32-code block starts at bit bits*i: in word floor(bits*i / 32) at offset bits*i % 32,
  // continued in the next word when it straddles (a left shift by 32 gives 0, and the mask drops
  // what the next word adds when it does not).
  const lo: number[] = [];
  const hi: number[] = [];
  const off: number[] = [];
  const back: number[] = [];
  for (let i = 0; i < 32; i++) {
    const j = Math.floor((bits * i) / 32);
    lo.push(j);
    hi.push(Math.min(j + 1, bits - 1));
    off.push((bits * i) % 32);
    back.push(32 - ((bits * i) % 32));
  }
  const blocks = reshape(wq, [...lead, words / bits, bits], opts);
  const low = rightShift(take(blocks, array(lo, uint32), -1), array(off, uint32), opts);
  const high = leftShift(take(blocks, array(hi, uint32), -1), array(back, uint32), opts);
  return reshape(bitwiseAnd(bitwiseOr(low, high, opts), mask, opts), [...lead, (words / bits) * 32], opts);
}

/**
 * codes * scales + biases in the scales' dtype (the checks done); also the VJP and vmap rules'
 * dense matrix.
 */
export function dequantized(w: Array, scales: Array, biases: Array, groupSize: number, bits: number, s: Stream): Array {
  const opts = { stream: s ?? undefined };
  const codes = unpack(w, bits, s);
  const lead = w.shape.slice(0, -1);
  const n = codes.shape[codes.ndim - 1]!;
  const g = reshape(codes, [...lead, n / groupSize, groupSize], opts);
  const v = add(multiply(g, expandDims(scales, -1, opts), opts), expandDims(biases, -1, opts), opts);
  return reshape(v, [...lead, n], opts);
}
