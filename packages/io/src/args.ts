/** Argument checks of the weight-file functions, so a wrong kind is an Error naming the function, not a crash inside. */
import { Array, describeValue, isPlainObject } from '@mlx-ts/core';

export function checkFile(fn: string, file: unknown): string {
  if (typeof file !== 'string' || file.length === 0) throw new Error(`${fn}: expected a file path (a non-empty string), got ${describeValue(file)}`);
  return file;
}

export function checkBytes(fn: string, data: unknown): Uint8Array {
  if (!(data instanceof Uint8Array)) throw new Error(`${fn}: expected the file's bytes (a Uint8Array or Buffer), got ${describeValue(data)}`);
  return data;
}

export function checkArray(fn: string, a: unknown, name?: string): Array {
  if (!(a instanceof Array)) throw new Error(`${fn}: expected an mlx-ts Array${name === undefined ? '' : ` for '${name}'`}, got ${describeValue(a)}`);
  return a;
}

/** `{name: array}` or `[name, array]` pairs, as pairs, every name a string and every value an Array. */
export function namedArrays(fn: string, arrays: unknown): [string, Array][] {
  let pairs: unknown[];
  if (globalThis.Array.isArray(arrays)) pairs = arrays;
  else if (isPlainObject(arrays)) pairs = Object.entries(arrays);
  else throw new Error(`${fn}: expected {name: array} or [name, array] pairs, got ${describeValue(arrays)}`);
  return pairs.map((p, i) => {
    if (!globalThis.Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'string')
      throw new Error(`${fn}: entry ${i} is not a [name, array] pair: ${describeValue(p)}`);
    return [p[0], checkArray(fn, p[1], p[0])];
  });
}

/** safetensors' metadata: absent, or string values by string keys. */
export function checkMetadata(fn: string, metadata: unknown): Record<string, string> | undefined {
  if (metadata === undefined || metadata === null) return undefined;
  if (!isPlainObject(metadata) || !Object.values(metadata).every((v) => typeof v === 'string')) {
    throw new Error(`${fn}: metadata must be an object of string values, got ${describeValue(metadata)}`);
  }
  return metadata as Record<string, string>;
}

/** `file` ending in `ext`, appended when missing, as MLX's savers do (`mx.save('w')` writes `w.npy`). */
export function withExtension(file: string, ext: string): string {
  return file.endsWith(ext) ? file : file + ext;
}
