/**
 * The safetensors format (Hugging Face's, which MLX reads and writes): an 8-byte little-endian header
 * length, a JSON header `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?}`, then the
 * tensors' bytes, offsets relative to the end of the header.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { type Array, bfloat16, bool, type Dtype, float16, float32, float64, int16, int32, int64, int8, shapeSize, uint16, uint32, uint8 } from '@mlx-ts/core';
import { arrayBytes, arrayFromBytes } from './host.js';
import { checkBytes, checkFile, checkMetadata, namedArrays } from './args.js';

const codes: Record<string, Dtype> = {
  BOOL: bool,
  U8: uint8,
  U16: uint16,
  U32: uint32,
  I8: int8,
  I16: int16,
  I32: int32,
  I64: int64,
  F16: float16,
  BF16: bfloat16,
  F32: float32,
  F64: float64,
};
const codeOf = new Map<Dtype, string>(Object.entries(codes).map(([c, d]) => [d, c]));

/** Encodes named arrays (and optional string metadata) as a safetensors file's bytes. */
export function encodeSafetensors(arrays: readonly (readonly [string, Array])[], metadata?: Record<string, string>): Uint8Array {
  const fn = 'encodeSafetensors';
  const pairs = namedArrays(fn, arrays);
  const meta = checkMetadata(fn, metadata);
  const header: Record<string, unknown> = {};
  if (meta && Object.keys(meta).length > 0) header.__metadata__ = meta;
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, a] of pairs) {
    if (name in header) throw new Error(`safetensors: the name '${name}' appears twice`);
    const bytes = arrayBytes(a);
    header[name] = { dtype: codeOf.get(a.dtype), shape: a.shape, data_offsets: [offset, offset + bytes.length] };
    parts.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const head = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Decodes a safetensors file's bytes into `[name, array]` pairs in header order; `what` names the source in errors. */
export function decodeSafetensors(data: Uint8Array, what = 'safetensors data'): [string, Array][] {
  checkBytes('decodeSafetensors', data);
  const bad = (msg: string): never => {
    throw new Error(`${what}: not a valid safetensors file: ${msg}`);
  };
  if (data.length < 8) bad(`${data.length} bytes, shorter than the 8-byte header length`);
  const n = Number(new DataView(data.buffer, data.byteOffset, 8).getBigUint64(0, true));
  if (8 + n > data.length) bad(`the header claims ${n} bytes but the file has ${data.length - 8} after the length`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(data.buffer, data.byteOffset + 8, n).toString('utf8'));
  } catch (e) {
    return bad(`the header is not JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || globalThis.Array.isArray(header)) bad('the header is not a JSON object');
  const body = data.subarray(8 + n);
  const out: [string, Array][] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = typeof e.dtype === 'string' ? codes[e.dtype] : undefined;
    if (dtype === undefined)
      bad(`tensor '${name}' has dtype ${JSON.stringify(e.dtype)}, which mlx-ts does not support (supported: ${Object.keys(codes).join(', ')})`);
    if (!globalThis.Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0))
      bad(`tensor '${name}' has shape ${JSON.stringify(e.shape)}`);
    const offs = e.data_offsets;
    if (!globalThis.Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isInteger(o) && o >= 0))
      bad(`tensor '${name}' has data_offsets ${JSON.stringify(offs)}`);
    const [begin, end] = offs as [number, number];
    const shape = e.shape as number[];
    const want = shapeSize(shape) * dtype!.size;
    if (end - begin !== want) bad(`tensor '${name}' of dtype ${e.dtype} and shape [${shape.join(', ')}] needs ${want} bytes, its offsets span ${end - begin}`);
    if (end > body.length) bad(`tensor '${name}' ends at byte ${end} of a ${body.length}-byte data section`);
    out.push([name, arrayFromBytes(body.subarray(begin, end), shape, dtype!)]);
  }
  return out;
}

/** MLX's `mx.save_safetensors(file, arrays, metadata?)`. */
export function saveSafetensors(file: string, arrays: Record<string, Array> | readonly (readonly [string, Array])[], metadata?: Record<string, string>): void {
  const fn = 'saveSafetensors';
  writeFileSync(checkFile(fn, file), encodeSafetensors(namedArrays(fn, arrays), checkMetadata(fn, metadata)));
}

/** Reads a safetensors file into `[name, array]` pairs. */
export function loadSafetensors(file: string): [string, Array][] {
  return decodeSafetensors(readFileSync(checkFile('loadSafetensors', file)), file);
}
