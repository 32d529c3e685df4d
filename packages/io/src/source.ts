/**
 * Where a decoder reads from: bytes already in memory, or an open file read at offsets. Files are
 * read per tensor straight into the host array that becomes the tensor's storage, so a large file
 * is never held whole in JS memory and no JS loop touches its elements.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';

export interface Source {
  /** What errors call it: the path, or the caller's label for bytes. */
  readonly name: string;
  readonly size: number;
  /** Copies `dst.length` bytes from `offset` into `dst`; the caller has checked the range. */
  readInto(dst: Uint8Array, offset: number): void;
}

/** A fresh copy of `length` bytes at `offset`. */
export function readBytes(src: Source, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  src.readInto(out, offset);
  return out;
}

export function bytesSource(data: Uint8Array, name: string): Source {
  return { name, size: data.length, readInto: (dst, offset) => dst.set(data.subarray(offset, offset + dst.length)) };
}

/** `readSync` moves at most 2 GiB a call. */
const CHUNK = 1 << 30;

/**
 * Opens `file` for `use` (the decoder's reading of it), closing it afterwards. A missing path or a
 * directory is an Error from `fn` naming the path, not Node's ENOENT/EISDIR.
 */
export function withFile<T>(fn: string, file: string, use: (src: Source) => T): T {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new Error(`${fn}: ${file} does not exist`);
    throw new Error(`${fn}: cannot open ${file}: ${err.code === 'EACCES' ? 'permission denied' : err.message}`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new Error(`${fn}: ${file} is a directory, not a file`);
    const src: Source = {
      name: file,
      size: stat.size,
      readInto(dst, offset) {
        for (let done = 0; done < dst.length;) {
          const n = readSync(fd, dst, done, Math.min(CHUNK, dst.length - done), offset + done);
          if (n === 0) throw new Error(`${file}: the file ended while reading it (was it changed meanwhile?)`);
          done += n;
        }
      },
    };
    return use(src);
  } finally {
    closeSync(fd);
  }
}

/** The Error a decoder throws for a malformed file: it names the file, the format and the fault. */
export function invalid(src: Source, format: string, msg: string): never {
  throw new Error(`${src.name}: not a valid ${format} file: ${msg}`);
}

/** `parts` one after another, as one buffer (for the byte-returning encoders). */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Writes `parts` to `file` one after another, without joining them first (a copy of every tensor saved). */
export function writeParts(fn: string, file: string, parts: readonly Uint8Array[]): void {
  let fd: number;
  try {
    fd = openSync(file, 'w');
  } catch (e) {
    throw new Error(`${fn}: cannot write ${file}: ${(e as Error).message}`);
  }
  try {
    for (const p of parts) for (let done = 0; done < p.length;) done += writeSync(fd, p, done, Math.min(CHUNK, p.length - done));
  } finally {
    closeSync(fd);
  }
}
