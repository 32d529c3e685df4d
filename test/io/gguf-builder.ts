/**
 * GGUF bytes built by hand from the spec (llama.cpp's docs/gguf.md), independently of mlx-ts's
 * writer, so the reader is tested against the format rather than against itself.
 */
export type Meta =
  | { type: 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'bool' | 'u64' | 'i64' | 'f64'; value: number | bigint | boolean }
  | { type: 'string'; value: string }
  | {
      type: 'array';
      of: 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'bool' | 'u64' | 'i64' | 'f64' | 'string';
      value: (number | bigint | boolean | string)[];
    };

export interface Tensor {
  name: string;
  /** ggml's ne: innermost first. */
  ne: number[];
  type: number;
  data: Uint8Array;
}

const typeCodes = { u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9, u64: 10, i64: 11, f64: 12 } as const;

class Bytes {
  parts: number[] = [];
  u8(v: number): void {
    this.parts.push(v & 0xff);
  }
  le(v: bigint, n: number): void {
    for (let i = 0; i < n; i++) this.u8(Number((v >> BigInt(8 * i)) & 0xffn));
  }
  u32(v: number): void {
    this.le(BigInt(v >>> 0), 4);
  }
  u64(v: number | bigint): void {
    this.le(BigInt.asUintN(64, BigInt(v)), 8);
  }
  f32(v: number): void {
    const b = new Uint8Array(new Float32Array([v]).buffer);
    for (const x of b) this.u8(x);
  }
  f64(v: number): void {
    const b = new Uint8Array(new Float64Array([v]).buffer);
    for (const x of b) this.u8(x);
  }
  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    for (const x of b) this.u8(x);
  }
  scalar(t: string, v: number | bigint | boolean | string): void {
    if (t === 'string') this.str(v as string);
    else if (t === 'u8' || t === 'i8' || t === 'bool') this.u8(Number(v));
    else if (t === 'u16' || t === 'i16') this.le(BigInt.asUintN(16, BigInt(v as number)), 2);
    else if (t === 'u32' || t === 'i32') this.u32(Number(v));
    else if (t === 'u64' || t === 'i64') this.u64(v as bigint);
    else if (t === 'f32') this.f32(v as number);
    else if (t === 'f64') this.f64(v as number);
  }
  pad(alignment: number): void {
    while (this.parts.length % alignment !== 0) this.u8(0);
  }
}

/** A GGUF file: header, metadata, tensor infos, padding to `alignment` (which the metadata must state unless 32), tensors each at an aligned offset. */
export function buildGguf(meta: [string, Meta][], tensors: Tensor[], alignment = 32, version = 3): Uint8Array {
  const b = new Bytes();
  for (const c of 'GGUF') b.u8(c.charCodeAt(0));
  b.u32(version);
  b.u64(tensors.length);
  b.u64(meta.length);
  for (const [key, m] of meta) {
    b.str(key);
    b.u32(typeCodes[m.type]);
    if (m.type === 'array') {
      b.u32(typeCodes[m.of]);
      b.u64(m.value.length);
      for (const v of m.value) b.scalar(m.of, v);
    } else b.scalar(m.type, m.value);
  }
  let offset = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    offset = Math.ceil(offset / alignment) * alignment;
    offsets.push(offset);
    b.str(t.name);
    b.u32(t.ne.length);
    for (const d of t.ne) b.u64(d);
    b.u32(t.type);
    b.u64(offset);
    offset += t.data.length;
  }
  b.pad(alignment);
  const start = b.parts.length;
  tensors.forEach((t, i) => {
    while (b.parts.length < start + offsets[i]!) b.u8(0);
    for (const x of t.data) b.u8(x);
  });
  return new Uint8Array(b.parts);
}

/** float16 bits of a value exactly representable in float16 (tests pick such values). */
export function f16Bits(x: number): number {
  const b = new DataView(new ArrayBuffer(4));
  b.setFloat32(0, x, true);
  const f = b.getUint32(0, true);
  const sign = (f >>> 16) & 0x8000;
  const exp = ((f >>> 23) & 0xff) - 127 + 15;
  const mant = (f >>> 13) & 0x3ff;
  if (x === 0) return sign;
  if (exp <= 0) throw new Error('f16Bits: subnormals not needed here');
  return sign | (exp << 10) | mant;
}
