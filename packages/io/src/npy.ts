/**
 * NumPy's `.npy`: the magic `\x93NUMPY`, a version, a header length, a Python-literal header
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` padded with spaces to a multiple of
 * 64 bytes and ended by a newline, then the raw data.
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
  transpose,
  uint16,
  uint32,
  uint8,
} from '@mlx-ts/core';
import { arrayAt, arrayBytes } from './host.js';
import { checkArray, checkBytes } from './args.js';
import { bytesSource, concat, invalid, readBytes, type Source } from './source.js';

/** The array-protocol type codes, without the byte-order character. `V2` is how MLX writes bfloat16 (NumPy has none; it reads them as 2-byte voids). */
const descrs: Record<string, Dtype> = {
  b1: bool,
  u1: uint8,
  u2: uint16,
  u4: uint32,
  i1: int8,
  i2: int16,
  i4: int32,
  i8: int64,
  f2: float16,
  V2: bfloat16,
  f4: float32,
  f8: float64,
};
const descrOf = new Map<Dtype, string>(Object.entries(descrs).map(([c, d]) => [d, d.size === 1 ? `|${c}` : `<${c}`]));
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
const FORMAT = '.npy';

/**
 * One array as `.npy` bytes, byte for byte what `np.save` writes: the header has NumPy's spare
 * room for the first axis to grow (21 digits), is padded to 64 bytes, and is version 1.0 unless
 * it outgrows 1.0's 16-bit length.
 */
export function encodeNpy(a: Array): Uint8Array {
  return concat(npyParts(checkArray('encodeNpy', a)));
}

/** The `.npy` file of `a` as its header and its data. */
export function npyParts(a: Array): Uint8Array[] {
  const descr = descrOf.get(a.dtype)!;
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  if (a.ndim > 0) dict += ' '.repeat(21 - String(a.shape[0]).length);
  const pad = (prefix: number): string => dict + ' '.repeat(63 - ((prefix + dict.length) % 64)) + '\n';
  const v1 = pad(10).length <= 0xffff;
  const prefix = v1 ? 10 : 12;
  const header = pad(prefix);
  const head = new Uint8Array(prefix + header.length);
  head.set(MAGIC, 0);
  head[6] = v1 ? 1 : 2;
  const view = new DataView(head.buffer);
  if (v1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  head.set(Buffer.from(header, 'latin1'), prefix);
  return [head, arrayBytes(a)];
}

/** One `.npy` file's bytes as an array; `what` names the source in errors. */
export function decodeNpy(data: Uint8Array, what = 'npy data'): Array {
  checkBytes('decodeNpy', data);
  return readNpy(bytesSource(data, what));
}

/** Reads the `.npy` array in `src`. */
export function readNpy(src: Source, stream?: StreamOrDevice | null): Array {
  const bad = (msg: string): never => invalid(src, FORMAT, msg);
  if (src.size < 10) bad(`${src.size} bytes, shorter than the 10-byte preamble`);
  const pre = readBytes(src, 0, Math.min(12, src.size));
  if (!MAGIC.every((b, i) => pre[i] === b)) bad('it does not start with \\x93NUMPY');
  const major = pre[6]!;
  const view = new DataView(pre.buffer);
  let start: number;
  let len: number;
  if (major === 1) [start, len] = [10, view.getUint16(8, true)];
  else if (major === 2 || major === 3) {
    if (pre.length < 12) bad(`${src.size} bytes, shorter than the 12-byte preamble of format ${major}.0`);
    [start, len] = [12, view.getUint32(8, true)];
  } else return bad(`unsupported format version ${major}.${pre[7]}`);
  if (start + len > src.size) bad(`the header claims ${len} bytes but the file has ${src.size - start} after the preamble`);
  const header = Buffer.from(readBytes(src, start, len)).toString(major === 3 ? 'utf8' : 'latin1');
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) return bad(`cannot read the header ${JSON.stringify(header.trim())}`);
  const order = descr.length === 3 ? descr[0]! : '|';
  const code = descr.length === 3 ? descr.slice(1) : descr;
  const dtype = Object.hasOwn(descrs, code) ? descrs[code] : undefined;
  if (dtype === undefined || !'<>|='.includes(order)) {
    return bad(`dtype '${descr}' is not supported (mlx-ts reads ${Object.keys(descrs).join(', ')}; it has no uint64 or complex dtype)`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) bad(`shape (${shapeText}) is not a tuple of sizes`);
  const begin = start + len;
  const nbytes = shapeSize(shape) * dtype.size;
  if (begin + nbytes > src.size) bad(`dtype ${descr} and shape (${shape.join(', ')}) need ${nbytes} bytes of data, the file has ${src.size - begin}`);
  // Column-major data is the row-major data of the reversed shape, transposed.
  const stored = fortran === 'True' ? shape.slice().reverse() : shape;
  const big = order === '>' && dtype.size > 1;
  let a = big ? arrayAt(swappedSource(src, dtype.size), begin, stored, dtype, stream) : arrayAt(src, begin, stored, dtype, stream);
  if (fortran === 'True') a = transpose(a);
  return a;
}

/** `src` with every `size`-byte element's bytes reversed: big-endian data read little-endian. A byte loop, for a format NumPy writes only on request. */
function swappedSource(src: Source, size: number): Source {
  return {
    name: src.name,
    size: src.size,
    readInto(dst, offset) {
      src.readInto(dst, offset);
      for (let i = 0; i < dst.length; i += size) dst.subarray(i, i + size).reverse();
    },
  };
}
