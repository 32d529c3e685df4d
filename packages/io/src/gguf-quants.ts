/**
 * GGUF's Q4_0, Q4_1 and Q8_0 blocks in MLX's affine quantized layout, as MLX's `load_gguf` gives
 * them: `name` holds the packed weights (uint32, element k of a row in bits 4k..4k+3 of the
 * row's bytes for 4 bits, byte k for 8 bits), `prefix.scales` and `prefix.biases` (float16, one per
 * 32 weights), `prefix` being `name` less its last 7 characters (`.weight`), so a weight
 * dequantizes as `q * scale + bias` with group size 32.
 *
 * ggml's blocks of 32: Q4_0 `{f16 d; u8 qs[16]}` (weights 0..15 in the low nibbles, 16..31 in the
 * high ones; value `(q - 8) d`), Q4_1 `{f16 d; f16 m; u8 qs[16]}` (value `q d + m`), Q8_0
 * `{f16 d; i8 qs[32]}` (value `q d`). The repacking is a JS loop over the bytes: it touches each
 * byte once, as MLX's C++ loop does.
 */
import { type Array, float16, float16BitsToNumber, fromHostData, numberToFloat16Bits, type StreamOrDevice, uint32 } from '@mlx-ts/core';
import { readBytes, type Source } from './source.js';

export interface QuantType {
  readonly name: string;
  /** Weights per block. */
  readonly block: number;
  /** Bytes per block. */
  readonly bytes: number;
  readonly bits: 4 | 8;
}

export const quantizedTypes = new Map<number, QuantType>([
  [2, { name: 'Q4_0', block: 32, bytes: 18, bits: 4 }],
  [3, { name: 'Q4_1', block: 32, bytes: 20, bits: 4 }],
  [8, { name: 'Q8_0', block: 32, bytes: 34, bits: 8 }],
]);

/** The three arrays MLX makes of the quantized tensor `name` of `shape` (MLX's order) whose blocks start at `offset` in `src`. */
export function readQuantized(
  src: Source,
  offset: number,
  name: string,
  shape: readonly number[],
  q: QuantType,
  stream?: StreamOrDevice | null,
): [string, Array][] {
  const nBlocks = shape.reduce((a, b) => a * b, 1) / q.block;
  const raw = readBytes(src, offset, nBlocks * q.bytes);
  const packedPerBlock = (q.block * q.bits) / 8;
  const weights = new Uint8Array(nBlocks * packedPerBlock);
  const scales = new Uint16Array(nBlocks);
  const biases = new Uint16Array(nBlocks);
  const last = shape.length - 1;
  for (let b = 0; b < nBlocks; b++) {
    const at = b * q.bytes;
    const d = raw[at]! | (raw[at + 1]! << 8);
    scales[b] = d;
    const out = b * packedPerBlock;
    if (q.name === 'Q8_0') {
      // int8 q as uint8 q + 128 (the top bit flipped), with bias -128 d.
      biases[b] = numberToFloat16Bits(-128 * float16BitsToNumber(d));
      for (let j = 0; j < 32; j++) weights[out + j] = raw[at + 2 + j]! ^ 0x80;
      continue;
    }
    const qs = at + (q.name === 'Q4_1' ? 4 : 2);
    biases[b] = q.name === 'Q4_1' ? raw[at + 2]! | (raw[at + 3]! << 8) : numberToFloat16Bits(-8 * float16BitsToNumber(d));
    for (let i = 0; i < 8; i++) {
      const lo = raw[qs + 2 * i]!;
      const hi = raw[qs + 2 * i + 1]!;
      // Weights 2i and 2i+1 from the low nibbles, 16+2i and 17+2i from the high ones.
      weights[out + i] = (lo & 0x0f) | ((hi & 0x0f) << 4);
      weights[out + 8 + i] = (lo >> 4) | (hi & 0xf0);
    }
  }
  const wShape = shape.slice();
  wShape[last] = (shape[last]! * q.bits) / 32;
  const sShape = shape.slice();
  sShape[last] = shape[last]! / q.block;
  const prefix = name.slice(0, Math.max(0, name.length - '.weight'.length));
  return [
    [name, fromHostData(new Uint32Array(weights.buffer), wShape, uint32, stream)],
    [`${prefix}.scales`, fromHostData(scales, sShape, float16, stream)],
    [`${prefix}.biases`, fromHostData(biases, sShape, float16, stream)],
  ];
}
