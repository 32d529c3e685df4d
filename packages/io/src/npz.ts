/** NumPy's `.npz`: a zip of `<name>.npy` entries (stored or deflated), through fflate. */
import { type Array, type StreamOrDevice } from '@mlx-ts/core';
import { unzipSync, zipSync } from 'fflate';
import { checkFile, namedArrays } from './args.js';
import { encodeNpy, readNpy } from './npy.js';
import { bytesSource, invalid, readBytes, type Source, withFile, writeParts } from './source.js';

/** The zip's bytes for named arrays, deflated when `compressed` (`np.savez_compressed`). */
export function encodeNpz(fn: string, arrays: readonly (readonly [string, Array])[], compressed: boolean): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const [name, a] of arrays) {
    const key = `${name}.npy`;
    if (key in entries) throw new Error(`${fn}: the name '${name}' appears twice`);
    entries[key] = encodeNpy(a);
  }
  return zipSync(entries, { level: compressed ? 6 : 0 });
}

/** Writes named arrays as an uncompressed `.npz` file at exactly `file` (MLX's `mx.savez` adds the extension first). */
export function saveNpz(file: string, arrays: Record<string, Array> | readonly (readonly [string, Array])[]): void {
  writeParts('saveNpz', checkFile('saveNpz', file), [encodeNpz('saveNpz', namedArrays('saveNpz', arrays), false)]);
}

/** The `[name, array]` pairs of the `.npz` in `src`, in the zip's order, each name without its `.npy`. */
export function readNpz(src: Source, stream?: StreamOrDevice | null): [string, Array][] {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(readBytes(src, 0, src.size));
  } catch (e) {
    return invalid(src, '.npz', `the zip does not open (${(e as Error).message})`);
  }
  return Object.entries(entries).map(([name, bytes]) => [name.replace(/\.npy$/, ''), readNpy(bytesSource(bytes, `${src.name} (${name})`), stream)]);
}

/** Reads an `.npz` file (compressed or not) into `[name, array]` pairs, in the zip's order. */
export function loadNpz(file: string): [string, Array][] {
  return withFile('loadNpz', checkFile('loadNpz', file), (src) => readNpz(src));
}
