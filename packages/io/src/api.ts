/** MLX's `mx.save`, `mx.savez`, `mx.savez_compressed` and `mx.load`, over the formats' modules. */
import { basename } from 'node:path';
import { type Array, isPlainObject, readArgs, type StreamOrDevice } from '@mlx-ts/core';
import { checkArray, checkFile, withExtension } from './args.js';
import { readGguf, type GgufValue } from './gguf.js';
import { npyParts, readNpy } from './npy.js';
import { encodeNpz, readNpz } from './npz.js';
import { readSafetensors } from './safetensors.js';
import { type Source, withFile, writeParts } from './source.js';

/** The formats `load` reads, named as MLX names them (the file extension without its dot). */
export type FileFormat = 'npy' | 'npz' | 'safetensors' | 'gguf';
const formats: readonly FileFormat[] = ['npy', 'npz', 'safetensors', 'gguf'];

/** Metadata as `load(file, {returnMetadata: true})` returns it: strings for safetensors; strings, string lists and arrays for GGUF. */
export type FileMetadata = Record<string, GgufValue>;

/** `load`'s options, MLX's keyword arguments. */
export interface LoadOptions {
  /** The file's format; by default its extension. */
  format?: FileFormat | null;
  /** Also return the file's metadata (safetensors and GGUF only): the result is `[arrays, metadata]`. */
  returnMetadata?: boolean | null;
  /** Where the loaded arrays live. */
  stream?: StreamOrDevice | null;
}

/** MLX's `mx.save(file, arr)`: one array as a NumPy `.npy` file; `.npy` is appended to `file` when it lacks it. bfloat16 is written as MLX writes it, `<V2` (NumPy reads 2-byte voids). */
export function save(file: string, arr: Array): void {
  const path = withExtension(checkFile('save', file), '.npy');
  writeParts('save', path, npyParts(checkArray('save', arr)));
}

function savezWith(fn: string, file: string, args: readonly (Array | Record<string, Array>)[], compressed: boolean): void {
  const path = withExtension(checkFile(fn, file), '.npz');
  const named = new Map<string, Array>();
  let positional = 0;
  const keyword: [string, unknown][] = [];
  for (const arg of args) {
    if (isPlainObject(arg)) keyword.push(...Object.entries(arg));
    else named.set(`arr_${positional++}`, checkArray(fn, arg));
  }
  for (const [name, a] of keyword) {
    if (named.has(name))
      throw new Error(`${fn}: the name '${name}' is given twice${/^arr_\d+$/.test(name) ? ` (unnamed arrays are named arr_0, arr_1, ...)` : ''}`);
    named.set(name, checkArray(fn, a, name));
  }
  writeParts(fn, path, [encodeNpz(fn, [...named], compressed)]);
}

/**
 * MLX's `mx.savez(file, *args, **kwargs)`: arrays as an uncompressed `.npz` (NumPy's `np.savez`
 * format). Arrays given on their own are named `arr_0`, `arr_1`, ...; objects give `{name: array}`.
 * `.npz` is appended to `file` when it lacks it.
 */
export function savez(file: string, ...arrays: (Array | Record<string, Array>)[]): void {
  savezWith('savez', file, arrays, false);
}

/** MLX's `mx.savez_compressed`: `savez` with every entry deflated (NumPy's `np.savez_compressed`). */
export function savezCompressed(file: string, ...arrays: (Array | Record<string, Array>)[]): void {
  savezWith('savezCompressed', file, arrays, true);
}

/**
 * MLX's `mx.load(file, format?, return_metadata?, stream?)`: an Array for `.npy`; `{name: array}`
 * for `.npz`, `.safetensors` and `.gguf` (quantized GGUF tensors as MLX's `.weight`, `.scales`,
 * `.biases` triples; BF16 tensors as float16, as MLX loads them); `[arrays, metadata]` with
 * `returnMetadata` (safetensors and GGUF only). The format is the file's extension unless given.
 * Tensors are read from the file straight into their storage. A missing or malformed file is an
 * Error naming the file and the fault.
 */
export function load(file: string, options: LoadOptions & { returnMetadata: true }): [Record<string, Array>, FileMetadata];
export function load(
  file: string,
  format: FileFormat | null | undefined,
  returnMetadata: true,
  options?: { stream?: StreamOrDevice | null },
): [Record<string, Array>, FileMetadata];
export function load(
  file: string,
  format?: FileFormat | null | LoadOptions,
  returnMetadata?: boolean | null | LoadOptions,
  options?: LoadOptions,
): Array | Record<string, Array>;
export function load(file: string, ...rest: unknown[]): Array | Record<string, Array> | [Record<string, Array>, FileMetadata] {
  const fn = 'load';
  checkFile(fn, file);
  const o = readArgs(fn, rest, ['format', 'returnMetadata'], (name) => (name === 'format' ? formats : 'bool'));
  let format = o.format as FileFormat | null | undefined;
  if (format == null) {
    const name = basename(file);
    const dot = name.lastIndexOf('.');
    if (dot < 0) throw new Error(`${fn}: cannot infer the format of ${file} from its extension; pass format (${formats.join(', ')})`);
    const ext = name.slice(dot + 1);
    if (!(formats as readonly string[]).includes(ext))
      throw new Error(`${fn}: unknown file format '${ext}' of ${file}; expected ${formats.map((f) => `.${f}`).join(', ')} or a format option`);
    format = ext as FileFormat;
  }
  const withMeta = o.returnMetadata === true;
  if (withMeta && (format === 'npy' || format === 'npz'))
    throw new Error(`${fn}: metadata is not supported for format ${format} (only safetensors and gguf carry it)`);
  return withFile(fn, file, (src) => readFormat(src, format, withMeta, o.stream));
}

/** @internal What `load` returns for the file in `src` once its format is known. */
export function readFormat(
  src: Source,
  format: FileFormat,
  withMeta: boolean,
  stream?: StreamOrDevice | null,
): Array | Record<string, Array> | [Record<string, Array>, FileMetadata] {
  if (format === 'npy') return readNpy(src, stream);
  if (format === 'npz') return Object.fromEntries(readNpz(src, stream));
  const { arrays, metadata } = format === 'safetensors' ? readSafetensors(src, stream) : readGguf(src, stream);
  const dict = Object.fromEntries(arrays);
  return withMeta ? [dict, metadata] : dict;
}
