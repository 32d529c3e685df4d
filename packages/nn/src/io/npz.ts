/**
 * NumPy's `.npz` (a zip of `.npy` files, one per array, as `np.savez` and MLX's `mx.savez` write them)
 * and `.npy` itself: a magic string, a version, a Python-literal header
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` and the raw data.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { unzipSync, zipSync } from 'fflate';
import { type Array, bool, type Dtype, float16, float32, float64, int16, int32, int64, int8, shapeSize, transpose, uint16, uint32, uint8 } from '@mlx-ts/core';
import { arrayBytes, arrayFromBytes } from './host.js';
import { checkArray, checkBytes, checkFile, namedArrays } from './args.js';

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
  f4: float32,
  f8: float64,
};
const descrOf = new Map<Dtype, string>(Object.entries(descrs).map(([c, d]) => [d, d.size === 1 ? `|${c}` : `<${c}`]));
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** One array as `.npy` bytes (format 1.0, header padded to 64 bytes as NumPy pads it). */
export function encodeNpy(a: Array, what = 'npy'): Uint8Array {
  checkArray('encodeNpy', a);
  const descr = descrOf.get(a.dtype);
  if (descr === undefined) throw new Error(`${what}: NumPy has no ${a.dtype.name} dtype; save it as .safetensors or cast it first`);
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const data = arrayBytes(a);
  const out = new Uint8Array(10 + header.length + data.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(data, 10 + header.length);
  return out;
}

/** One `.npy` file's bytes as an array; `what` names the source in errors. */
export function decodeNpy(data: Uint8Array, what = 'npy data'): Array {
  checkBytes('decodeNpy', data);
  const bad = (msg: string): never => {
    throw new Error(`${what}: not a valid .npy file: ${msg}`);
  };
  if (data.length < 10 || !MAGIC.every((b, i) => data[i] === b)) bad('it does not start with \\x93NUMPY');
  const major = data[6]!;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let start: number;
  let len: number;
  if (major === 1) [start, len] = [10, view.getUint16(8, true)];
  else if (major === 2 || major === 3) [start, len] = [12, view.getUint32(8, true)];
  else return bad(`unknown format version ${major}`);
  if (start + len > data.length) bad('the header runs past the end of the file');
  const header = Buffer.from(data.buffer, data.byteOffset + start, len).toString(major === 3 ? 'utf8' : 'latin1');
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) return bad(`cannot read the header ${JSON.stringify(header.trim())}`);
  const order = descr[0];
  const dtype = descrs[descr.slice(1)];
  if (dtype === undefined || (order === '>' && dtype.size > 1)) bad(`dtype '${descr}' is not supported (little-endian bool, int8-64, uint8-32, float16-64)`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) bad(`shape (${shapeText}) is not a tuple of sizes`);
  const begin = start + len;
  const nbytes = shapeSize(shape) * dtype!.size;
  if (begin + nbytes > data.length) bad(`dtype ${descr} and shape (${shape.join(', ')}) need ${nbytes} bytes, the file has ${data.length - begin}`);
  const bytes = data.subarray(begin, begin + nbytes);
  if (fortran === 'False') return arrayFromBytes(bytes, shape, dtype!);
  // Column-major data is the row-major data of the reversed shape, transposed.
  return transpose(arrayFromBytes(bytes, shape.slice().reverse(), dtype!));
}

/** MLX's `mx.savez(file, **arrays)`: an uncompressed zip of `<name>.npy` entries. */
export function saveNpz(file: string, arrays: Record<string, Array> | readonly (readonly [string, Array])[]): void {
  checkFile('saveNpz', file);
  const entries: Record<string, Uint8Array> = {};
  for (const [name, a] of namedArrays('saveNpz', arrays)) entries[`${name}.npy`] = encodeNpy(a, `${file} (${name})`);
  writeFileSync(file, zipSync(entries, { level: 0 }));
}

/** Reads an `.npz` file (compressed or not) into `[name, array]` pairs, in the zip's order. */
export function loadNpz(file: string): [string, Array][] {
  const data = readFileSync(checkFile('loadNpz', file));
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(data);
  } catch (e) {
    throw new Error(`${file}: not a valid .npz file (${(e as Error).message})`);
  }
  return Object.entries(entries).map(([name, bytes]) => [name.replace(/\.npy$/, ''), decodeNpy(bytes, `${file} (${name})`)]);
}
