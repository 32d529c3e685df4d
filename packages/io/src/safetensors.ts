/**
 * The safetensors format (Hugging Face's, which MLX reads and writes): an 8-byte little-endian header
 * length, a JSON header `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?}`, then the
 * tensors' bytes, offsets relative to the end of the header.
 */
import {
  type Array,
  bfloat16,
  bool,
  type Dtype,
  float16,
  float32,
  float64,
  int16,
  int32,
  int64,
  int8,
  shapeSize,
  type StreamOrDevice,
  uint16,
  uint32,
  uint8,
} from '@mlx-ts/core';
import { arrayAt, arrayBytes } from './host.js';
import { checkBytes, checkFile, checkMetadata, namedArrays, withExtension } from './args.js';
import { bytesSource, concat, invalid, readBytes, type Source, withFile, writeParts } from './source.js';

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
/** 8-bit floats, which MLX loads as their raw bytes (uint8) for `mx.from_fp8`. */
const readCodes: Record<string, Dtype> = { ...codes, F8_E4M3: uint8, F8_E8M0: uint8 };
const FORMAT = 'safetensors';
/** The reference (Rust) reader's bound on the JSON header, which MLX keeps too. */
const MAX_HEADER = 100_000_000;

/** Encodes named arrays (and optional string metadata) as a safetensors file's bytes. */
export function encodeSafetensors(arrays: Record<string, Array> | readonly (readonly [string, Array])[], metadata?: Record<string, string> | null): Uint8Array {
  const fn = 'encodeSafetensors';
  return concat(safetensorsParts(fn, namedArrays(fn, arrays), checkMetadata(fn, metadata)));
}

/** The safetensors file of checked arrays and metadata as its length, its header and each tensor's bytes. */
function safetensorsParts(fn: string, pairs: readonly (readonly [string, Array])[], meta: Record<string, string> | undefined): Uint8Array[] {
  // A Map, as a name '__proto__' assigned to an object would set its prototype instead.
  const header = new Map<string, unknown>();
  if (meta && Object.keys(meta).length > 0) header.set('__metadata__', meta);
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, a] of pairs) {
    if (header.has(name)) throw new Error(`${fn}: the name '${name}' appears twice${name === '__metadata__' ? ' (it is the metadata entry)' : ''}`);
    const bytes = arrayBytes(a);
    header.set(name, { dtype: codeOf.get(a.dtype), shape: a.shape, data_offsets: [offset, offset + bytes.length] });
    parts.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(Object.fromEntries(header));
  // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const head = Buffer.from(json, 'utf8');
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(head.length), true);
  return [length, head, ...parts];
}

/** The tensors (in header order) and the string metadata of the safetensors file in `src`. */
export function readSafetensors(src: Source, stream?: StreamOrDevice | null): { arrays: [string, Array][]; metadata: Record<string, string> } {
  const bad = (msg: string): never => invalid(src, FORMAT, msg);
  if (src.size < 8) bad(`${src.size} bytes, shorter than the 8-byte header length`);
  const n = new DataView(readBytes(src, 0, 8).buffer).getBigUint64(0, true);
  if (n === 0n || n >= BigInt(MAX_HEADER)) bad(`the header length ${n} is outside 1..${MAX_HEADER - 1}`);
  if (8n + n > BigInt(src.size)) bad(`the header claims ${n} bytes but the file has ${src.size - 8} after the length`);
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(readBytes(src, 8, Number(n))).toString('utf8'));
  } catch (e) {
    return bad(`the header is not JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || globalThis.Array.isArray(header)) return bad('the header is not a JSON object');
  const base = 8 + Number(n);
  const arrays: [string, Array][] = [];
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || !Object.values(entry).every((v) => typeof v === 'string'))
        bad(`__metadata__ is ${JSON.stringify(entry)}, not an object of strings`);
      metadata = Object.fromEntries(Object.entries(entry as Record<string, string>));
      continue;
    }
    if (typeof entry !== 'object' || entry === null) bad(`tensor '${name}' is ${JSON.stringify(entry)}, not {dtype, shape, data_offsets}`);
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = typeof e.dtype === 'string' && Object.hasOwn(readCodes, e.dtype) ? readCodes[e.dtype] : undefined;
    if (dtype === undefined) {
      const why = e.dtype === 'U64' ? ' (mlx-ts has no uint64 dtype)' : '';
      bad(`tensor '${name}' has dtype ${JSON.stringify(e.dtype)}${why}; mlx-ts reads ${Object.keys(readCodes).join(', ')}`);
    }
    if (!globalThis.Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      bad(`tensor '${name}' has shape ${JSON.stringify(e.shape)}`);
    const offs = e.data_offsets;
    if (!globalThis.Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0))
      bad(`tensor '${name}' has data_offsets ${JSON.stringify(offs)}, not two byte offsets`);
    const [begin, end] = offs as [number, number];
    const shape = e.shape as number[];
    const want = shapeSize(shape) * dtype!.size;
    if (end < begin || end - begin !== want)
      bad(`tensor '${name}' of dtype ${e.dtype} and shape [${shape.join(', ')}] needs ${want} bytes, its data_offsets [${begin}, ${end}] span ${end - begin}`);
    if (base + end > src.size) bad(`tensor '${name}' ends at byte ${end} of a ${src.size - base}-byte data section (a truncated file?)`);
    arrays.push([name, arrayAt(src, base + begin, shape, dtype!, stream)]);
  }
  return { arrays, metadata };
}

/** Decodes a safetensors file's bytes into `[name, array]` pairs in header order; `what` names the source in errors. */
export function decodeSafetensors(data: Uint8Array, what = 'safetensors data'): [string, Array][] {
  return readSafetensors(bytesSource(checkBytes('decodeSafetensors', data), what)).arrays;
}

/**
 * MLX's `mx.save_safetensors(file, arrays, metadata?)`: named arrays (`{name: array}` or
 * `[name, array]` pairs) and optional string metadata; `.safetensors` is appended to `file` when
 * it lacks it, as MLX does.
 */
export function saveSafetensors(
  file: string,
  arrays: Record<string, Array> | readonly (readonly [string, Array])[],
  metadata?: Record<string, string> | null,
): void {
  const fn = 'saveSafetensors';
  const path = withExtension(checkFile(fn, file), '.safetensors');
  writeParts(fn, path, safetensorsParts(fn, namedArrays(fn, arrays), checkMetadata(fn, metadata)));
}

/** Reads a safetensors file into `[name, array]` pairs, in header order. */
export function loadSafetensors(file: string): [string, Array][] {
  return withFile('loadSafetensors', checkFile('loadSafetensors', file), (src) => readSafetensors(src).arrays);
}
