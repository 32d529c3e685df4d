/**
 * GGUF (llama.cpp's model files, versions 2 and 3), read and written as MLX's `load_gguf` and
 * `save_gguf` do. Layout, all little-endian: `GGUF`, version u32, tensor count u64, key-value
 * count u64; the key-values (a string key, a u32 value type, the value); per tensor a name, a u32
 * dimension count, the u64 dimensions innermost first (so reversed from MLX's shape), a u32 tensor
 * type and a u64 offset into the data section; padding to `general.alignment` (32 when absent);
 * the data section. Strings are a u64 length and UTF-8 bytes.
 */
import {
  type Array,
  astype,
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
  isPlainObject,
  shapeSize,
  type StreamOrDevice,
  uint16,
  uint32,
  uint8,
} from '@mlx-ts/core';
import { describeValue, fromHostData } from '@mlx-ts/core';
import { arrayAt, arrayBytes } from './host.js';
import { checkArray, checkFile, namedArrays, withExtension } from './args.js';
import { quantizedTypes, readQuantized } from './gguf-quants.js';
import { invalid, readBytes, type Source, writeParts } from './source.js';

/** A GGUF metadata value as MLX returns it: a string, a list of strings, or an array (0-d for a scalar, 1-D for a list of numbers or booleans). */
export type GgufValue = Array | string | string[];
/** GGUF metadata by key. */
export type GgufMetadata = Record<string, GgufValue>;

const FORMAT = 'GGUF';
const MAGIC = 0x46554747; // 'GGUF' read as a little-endian u32
const VERSION = 3;
const DEFAULT_ALIGNMENT = 32;
const MAX_DIMS = 8;

/** Metadata value types. */
const T = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;
/** Fixed-size metadata types: their size and the dtype MLX gives them (float64 becomes float32 in MLX; uint64, which mlx-ts lacks, becomes int64). */
const scalarTypes = new Map<number, { size: number; dtype: Dtype }>([
  [T.UINT8, { size: 1, dtype: uint8 }],
  [T.INT8, { size: 1, dtype: int8 }],
  [T.UINT16, { size: 2, dtype: uint16 }],
  [T.INT16, { size: 2, dtype: int16 }],
  [T.UINT32, { size: 4, dtype: uint32 }],
  [T.INT32, { size: 4, dtype: int32 }],
  [T.FLOAT32, { size: 4, dtype: float32 }],
  [T.BOOL, { size: 1, dtype: bool }],
  [T.UINT64, { size: 8, dtype: int64 }],
  [T.INT64, { size: 8, dtype: int64 }],
  [T.FLOAT64, { size: 8, dtype: float32 }],
]);
/** The metadata type `saveGguf` writes for each dtype MLX allows in metadata. */
const metaTypeOf = new Map<Dtype, number>([
  [float32, T.FLOAT32],
  [int64, T.INT64],
  [int32, T.INT32],
  [int16, T.INT16],
  [int8, T.INT8],
  [uint32, T.UINT32],
  [uint16, T.UINT16],
  [uint8, T.UINT8],
  [bool, T.BOOL],
]);

/** Tensor types stored as plain elements: those MLX loads as they are, and BF16, which MLX converts to float16. */
const plainTypes = new Map<number, { name: string; dtype: Dtype }>([
  [0, { name: 'F32', dtype: float32 }],
  [1, { name: 'F16', dtype: float16 }],
  [24, { name: 'I8', dtype: int8 }],
  [25, { name: 'I16', dtype: int16 }],
  [26, { name: 'I32', dtype: int32 }],
  [30, { name: 'BF16', dtype: bfloat16 }],
]);
const tensorTypeOf = new Map<Dtype, number>([...plainTypes].filter(([, t]) => t.dtype !== bfloat16).map(([code, t]) => [t.dtype, code]));
/** The other types of ggml's enum, named in errors. */
const otherTypeNames: Record<number, string> = {
  6: 'Q5_0',
  7: 'Q5_1',
  9: 'Q8_1',
  10: 'Q2_K',
  11: 'Q3_K',
  12: 'Q4_K',
  13: 'Q5_K',
  14: 'Q6_K',
  15: 'Q8_K',
  27: 'I64',
  28: 'F64',
};

/** A bounds-checked little-endian reader over the front of a file, fetching more of it as parsing goes. */
class Cursor {
  pos = 0;
  private buf: Uint8Array = new Uint8Array(0);
  private view = new DataView(this.buf.buffer);
  constructor(readonly src: Source) {}

  private need(n: number, what: string): number {
    if (n > this.src.size - this.pos) invalid(this.src, FORMAT, `${what} at byte ${this.pos} runs past the end of the ${this.src.size}-byte file`);
    if (this.pos + n > this.buf.length) {
      const size = Math.min(this.src.size, Math.max(this.pos + n, 2 * this.buf.length, 1 << 16));
      this.buf = readBytes(this.src, 0, size);
      this.view = new DataView(this.buf.buffer);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }
  u32(what: string): number {
    const at = this.need(4, what); // before reading this.view, which need may replace
    return this.view.getUint32(at, true);
  }
  u64(what: string): number {
    const at = this.need(8, what);
    const v = this.view.getBigUint64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) invalid(this.src, FORMAT, `${what} is ${v}, beyond any file size`);
    return Number(v);
  }
  bytes(n: number, what: string): Uint8Array {
    const at = this.need(n, what);
    return this.buf.subarray(at, at + n);
  }
  string(what: string): string {
    const n = this.u64(`the length of ${what}`);
    return Buffer.from(this.bytes(n, what)).toString('utf8');
  }
}

/** `count` fixed-size metadata values of `type` as an array of MLX's dtype for it (copied out of the cursor's buffer). */
function metaArray(c: Cursor, type: number, count: number, shape: number[], what: string): Array {
  const { size, dtype } = scalarTypes.get(type)!;
  const raw = c.bytes(size * count, what);
  if (type === T.FLOAT64) return astype(fromHostData(new Float64Array(raw.slice().buffer), shape, float64), float32);
  if (type === T.UINT64) {
    const v = new BigInt64Array(raw.slice().buffer);
    if (v.some((x) => x < 0n)) invalid(c.src, FORMAT, `${what} holds a uint64 of 2^63 or more, which mlx-ts (with no uint64 dtype) cannot hold`);
    return fromHostData(v, shape, int64);
  }
  return arrayAt({ name: c.src.name, size: raw.length, readInto: (dst) => dst.set(raw) }, 0, shape, dtype);
}

function readValue(c: Cursor, type: number, key: string): GgufValue {
  const what = `the value of '${key}'`;
  if (type === T.STRING) return c.string(what);
  if (scalarTypes.has(type)) return metaArray(c, type, 1, [], what);
  if (type !== T.ARRAY) return invalid(c.src, FORMAT, `'${key}' has value type ${type}, not one of GGUF's 0..12`);
  const elem = c.u32(`the element type of '${key}'`);
  const n = c.u64(`the length of '${key}'`);
  if (elem === T.STRING) {
    const out: string[] = [];
    // Each string takes at least its 8-byte length: a count beyond that fails before allocating.
    if (n > (c.src.size - c.pos) / 8) invalid(c.src, FORMAT, `'${key}' claims ${n} strings, more than the file holds`);
    for (let i = 0; i < n; i++) out.push(c.string(`string ${i} of '${key}'`));
    return out;
  }
  if (elem === T.ARRAY) return invalid(c.src, FORMAT, `'${key}' is an array of arrays; MLX reads one level of arrays only`);
  if (!scalarTypes.has(elem)) return invalid(c.src, FORMAT, `'${key}' is an array of value type ${elem}, not one of GGUF's 0..12`);
  return metaArray(c, elem, n, [n], what);
}

interface TensorInfo {
  name: string;
  shape: number[];
  type: number;
  offset: number;
}

/** The arrays (in the file's order, quantized ones expanded to `.weight`/`.scales`/`.biases`) and metadata of the GGUF file in `src`. */
export function readGguf(src: Source, stream?: StreamOrDevice | null): { arrays: [string, Array][]; metadata: GgufMetadata } {
  const bad = (msg: string): never => invalid(src, FORMAT, msg);
  const c = new Cursor(src);
  if (src.size < 4 || c.u32('the magic') !== MAGIC) bad("it does not start with the magic 'GGUF'");
  const version = c.u32('the version');
  if (version !== 2 && version !== 3) bad(`version ${version} is not supported (mlx-ts reads versions 2 and 3)`);
  const nTensors = c.u64('the tensor count');
  const nKv = c.u64('the key-value count');
  const metadata = new Map<string, GgufValue>();
  let alignment = DEFAULT_ALIGNMENT;
  for (let i = 0; i < nKv; i++) {
    const key = c.string(`key ${i}`);
    const type = c.u32(`the type of '${key}'`);
    const value = readValue(c, type, key);
    if (key === 'general.alignment') {
      const a = type === T.UINT32 ? (value as Array).item() : 0;
      if (!(a > 0 && (a & (a - 1)) === 0))
        bad(`general.alignment must be a uint32 power of two, got ${typeof value === 'string' ? JSON.stringify(value) : describeValue(value)}`);
      alignment = a;
    }
    metadata.set(key, value);
  }
  const infos: TensorInfo[] = [];
  for (let i = 0; i < nTensors; i++) {
    const name = c.string(`the name of tensor ${i}`);
    const ndim = c.u32(`the dimension count of '${name}'`);
    if (ndim > MAX_DIMS) bad(`tensor '${name}' has ${ndim} dimensions, more than ${MAX_DIMS}`);
    const dims: number[] = [];
    for (let d = 0; d < ndim; d++) dims.push(c.u64(`dimension ${d} of '${name}'`));
    const type = c.u32(`the type of '${name}'`);
    infos.push({ name, shape: dims.reverse(), type, offset: c.u64(`the offset of '${name}'`) });
  }
  const dataStart = Math.ceil(c.pos / alignment) * alignment;
  const arrays = new Map<string, Array>();
  const add = (name: string, a: Array): void => {
    if (arrays.has(name)) bad(`the name '${name}' appears twice (quantized tensors add '.scales' and '.biases' names)`);
    arrays.set(name, a);
  };
  for (const t of infos) {
    const plain = plainTypes.get(t.type);
    const quant = quantizedTypes.get(t.type);
    const typeName = plain?.name ?? quant?.name ?? otherTypeNames[t.type] ?? `${t.type}`;
    if (plain === undefined && quant === undefined) {
      if (t.type in otherTypeNames && t.type !== 27 && t.type !== 28)
        throw new Error(
          `${src.name}: not implemented yet: GGUF tensor type ${typeName} (tensor '${t.name}'); mlx-ts reads F32, F16, BF16, I8, I16, I32, Q4_0, Q4_1 and Q8_0`,
        );
      bad(`tensor '${t.name}' has type ${typeName}, which MLX does not load (it reads F32, F16, BF16, I8, I16, I32, Q4_0, Q4_1, Q8_0 and k-quants)`);
    }
    const n = shapeSize(t.shape);
    const nbytes = plain ? n * plain.dtype.size : (n / quant!.block) * quant!.bytes;
    if (quant && (t.shape.length === 0 || t.shape[t.shape.length - 1]! % quant.block !== 0))
      bad(`tensor '${t.name}' of type ${typeName} has innermost dimension ${t.shape[t.shape.length - 1]}, not a multiple of ${quant.block}`);
    const begin = dataStart + t.offset;
    if (begin > src.size || nbytes > src.size - begin)
      bad(`tensor '${t.name}' (${typeName}, shape [${t.shape.join(', ')}], ${nbytes} bytes at data offset ${t.offset}) runs past the end of the file`);
    if (plain) {
      const a = arrayAt(src, begin, t.shape, plain.dtype, stream);
      add(t.name, plain.dtype === bfloat16 ? astype(a, float16, stream ?? undefined) : a);
    } else {
      for (const [name, a] of readQuantized(src, begin, t.name, t.shape, quant!, stream)) add(name, a);
    }
  }
  // fromEntries, as a key '__proto__' assigned would set the prototype instead.
  return { arrays: [...arrays], metadata: Object.fromEntries(metadata) };
}

function writeString(parts: Uint8Array[], s: string): void {
  const b = Buffer.from(s, 'utf8');
  parts.push(u64(b.length), b);
}
const u32 = (v: number): Uint8Array => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, v, true);
  return out;
};
const u64 = (v: number): Uint8Array => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(v), true);
  return out;
};

function checkGgufMetadata(fn: string, metadata: unknown): [string, GgufValue][] {
  if (metadata === undefined || metadata === null) return [];
  if (!isPlainObject(metadata)) throw new Error(`${fn}: metadata must be an object of strings, string lists and arrays, got ${describeValue(metadata)}`);
  return Object.entries(metadata).map(([k, v]) => {
    if (typeof v === 'string' || (globalThis.Array.isArray(v) && v.every((s) => typeof s === 'string'))) return [k, v as string | string[]];
    const a = checkArray(fn, v, k);
    if (a.ndim > 1) throw new Error(`${fn}: metadata '${k}' has shape [${a.shape.join(', ')}]; GGUF metadata arrays have at most one dimension`);
    if (a.size === 0) throw new Error(`${fn}: metadata '${k}' is empty; GGUF cannot store an empty array`);
    if (!metaTypeOf.has(a.dtype))
      throw new Error(`${fn}: metadata '${k}' has dtype ${a.dtype.name}; GGUF metadata takes ${[...metaTypeOf.keys()].map((d) => d.name).join(', ')}`);
    return [k, a];
  });
}

/** The GGUF (version 3) file of named arrays and metadata as consecutive parts, laid out as MLX's writer (gguflib) lays it out. */
function ggufParts(fn: string, arrays: readonly (readonly [string, Array])[], metadata: readonly (readonly [string, GgufValue])[]): Uint8Array[] {
  const parts: Uint8Array[] = [u32(MAGIC), u32(VERSION), u64(arrays.length), u64(metadata.length)];
  for (const [key, v] of metadata) {
    writeString(parts, key);
    if (typeof v === 'string') {
      parts.push(u32(T.STRING));
      writeString(parts, v);
    } else if (globalThis.Array.isArray(v)) {
      parts.push(u32(T.ARRAY), u32(T.STRING), u64(v.length));
      for (const s of v) writeString(parts, s);
    } else {
      const type = metaTypeOf.get(v.dtype)!;
      if (v.ndim === 1) parts.push(u32(T.ARRAY), u32(type), u64(v.size));
      else parts.push(u32(type));
      parts.push(arrayBytes(v).slice());
    }
  }
  const datas: Uint8Array[] = [];
  let offset = 0;
  const seen = new Set<string>();
  for (const [name, a] of arrays) {
    if (seen.has(name)) throw new Error(`${fn}: the name '${name}' appears twice`);
    seen.add(name);
    const type = tensorTypeOf.get(a.dtype);
    if (type === undefined)
      throw new Error(`${fn}: '${name}' has dtype ${a.dtype.name}; MLX writes GGUF tensors of float32, float16, int8, int16 and int32 only`);
    offset = Math.ceil(offset / DEFAULT_ALIGNMENT) * DEFAULT_ALIGNMENT;
    writeString(parts, name);
    parts.push(u32(a.ndim));
    for (let d = a.ndim - 1; d >= 0; d--) parts.push(u64(a.shape[d]!));
    parts.push(u32(type), u64(offset));
    const bytes = arrayBytes(a);
    datas.push(bytes);
    offset += bytes.length;
  }
  // Padding to the data section, and between tensors, to the alignment.
  let at = parts.reduce((s, p) => s + p.length, 0);
  for (const d of datas) {
    const start = Math.ceil(at / DEFAULT_ALIGNMENT) * DEFAULT_ALIGNMENT;
    if (start > at) parts.push(new Uint8Array(start - at));
    parts.push(d);
    at = start + d.length;
  }
  return parts;
}

/**
 * MLX's `mx.save_gguf(file, arrays, metadata?)`: tensors of float32, float16, int8, int16 or int32;
 * metadata values are strings, lists of strings, or arrays of at most one dimension (0-d for a
 * scalar) of float32, int64, int32, int16, int8, uint32, uint16, uint8 or bool. `.gguf` is
 * appended to `file` when it lacks it.
 */
export function saveGguf(file: string, arrays: Record<string, Array>, metadata?: GgufMetadata | null): void {
  const fn = 'saveGguf';
  const path = withExtension(checkFile(fn, file), '.gguf');
  writeParts(fn, path, ggufParts(fn, namedArrays(fn, arrays), checkGgufMetadata(fn, metadata)));
}
