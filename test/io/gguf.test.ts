/** mx.load of GGUF files built by hand (test/io/gguf-builder.ts), mx.saveGguf, and MLX's layout for Q4_0, Q4_1 and Q8_0. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mx } from '../helpers/index.js';
import { buildGguf, f16Bits, type Meta, type Tensor } from './gguf-builder.js';

const dir = mkdtempSync(join(tmpdir(), 'mlx-ts-io-gguf-'));
const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const write = (name: string, data: Uint8Array): string => {
  const file = join(dir, name);
  writeFileSync(file, data);
  return file;
};

/** A deterministic stream of small integers. */
function ints(n: number, mod: number, seed: number): number[] {
  let s = seed;
  return globalThis.Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % mod;
  });
}
const scalesFor = (n: number, seed: number): number[] => ints(n, 16, seed).map((k) => (k - 8 || 1) / 64);

/** Q4_0 blocks for rows of 4-bit q, and the values llama.cpp decodes them to: (q - 8) * d. */
function q4_0(q: number[], d: number[]): { data: Uint8Array; values: number[] } {
  const data = new Uint8Array(d.length * 18);
  const values: number[] = [];
  d.forEach((s, b) => {
    new DataView(data.buffer).setUint16(b * 18, f16Bits(s), true);
    for (let j = 0; j < 16; j++) data[b * 18 + 2 + j] = q[b * 32 + j]! | (q[b * 32 + 16 + j]! << 4);
    for (let j = 0; j < 32; j++) values.push((q[b * 32 + j]! - 8) * s);
  });
  return { data, values };
}
/** Q4_1 blocks: q * d + m. */
function q4_1(q: number[], d: number[], m: number[]): { data: Uint8Array; values: number[] } {
  const data = new Uint8Array(d.length * 20);
  const values: number[] = [];
  d.forEach((s, b) => {
    new DataView(data.buffer).setUint16(b * 20, f16Bits(s), true);
    new DataView(data.buffer).setUint16(b * 20 + 2, f16Bits(m[b]!), true);
    for (let j = 0; j < 16; j++) data[b * 20 + 4 + j] = q[b * 32 + j]! | (q[b * 32 + 16 + j]! << 4);
    for (let j = 0; j < 32; j++) values.push(q[b * 32 + j]! * s + m[b]!);
  });
  return { data, values };
}
/** Q8_0 blocks of int8 q: q * d. */
function q8_0(q: number[], d: number[]): { data: Uint8Array; values: number[] } {
  const data = new Uint8Array(d.length * 34);
  const values: number[] = [];
  d.forEach((s, b) => {
    new DataView(data.buffer).setUint16(b * 34, f16Bits(s), true);
    for (let j = 0; j < 32; j++) {
      const v = q[b * 32 + j]! - 128;
      data[b * 34 + 2 + j] = v & 0xff;
      values.push(v * s);
    }
  });
  return { data, values };
}

/** MLX's affine dequantization with group size 32: element k of a row is bits [k*bits, (k+1)*bits) of the row's packed words, times its group's scale, plus its bias. */
function dequantize(w: mx.Array, scales: mx.Array, biases: mx.Array, bits: number): number[] {
  const words = w.toTypedArray() as Uint32Array;
  const s = scales.toTypedArray() as Float32Array;
  const z = biases.toTypedArray() as Float32Array;
  const perWord = 32 / bits;
  const out: number[] = [];
  for (let k = 0; k < words.length * perWord; k++) {
    const q = (words[Math.floor(k / perWord)]! >>> ((k % perWord) * bits)) & ((1 << bits) - 1);
    out.push(q * s[Math.floor(k / 32)]! + z[Math.floor(k / 32)]!);
  }
  return out;
}

const meta: [string, Meta][] = [
  ['general.architecture', { type: 'string', value: 'llama' }],
  ['general.alignment', { type: 'u32', value: 64 }],
  ['u8', { type: 'u8', value: 200 }],
  ['i8', { type: 'i8', value: -5 }],
  ['u16', { type: 'u16', value: 60000 }],
  ['i16', { type: 'i16', value: -300 }],
  ['i32', { type: 'i32', value: -70000 }],
  ['f32', { type: 'f32', value: 0.5 }],
  ['bool', { type: 'bool', value: true }],
  ['u64', { type: 'u64', value: 2n ** 40n }],
  ['i64', { type: 'i64', value: -(2n ** 40n) }],
  ['f64', { type: 'f64', value: 0.25 }],
  ['tokens', { type: 'array', of: 'string', value: ['<s>', 'héllo', ''] }],
  ['scores', { type: 'array', of: 'f32', value: [0.5, -1.5] }],
  ['ids', { type: 'array', of: 'i64', value: [1n, -2n] }],
  ['flags', { type: 'array', of: 'bool', value: [true, false] }],
  ['bytes', { type: 'array', of: 'u8', value: [1, 255] }],
  ['doubles', { type: 'array', of: 'f64', value: [1.5] }],
];

const q40 = q4_0(ints(2 * 64, 16, 1), scalesFor(4, 2));
const q41 = q4_1(ints(3 * 32, 16, 3), scalesFor(3, 4), scalesFor(3, 5));
const q80 = q8_0(ints(32, 256, 6), scalesFor(1, 7));
const tensors: Tensor[] = [
  { name: 'f32', ne: [3, 2], type: 0, data: bytesOf(new Float32Array([0, 1, 2, 3, 4, 5])) },
  { name: 'f16', ne: [4], type: 1, data: bytesOf(new Uint16Array([0.5, -2, 1024, 0].map(f16Bits))) },
  { name: 'bf16', ne: [2], type: 30, data: bytesOf(new Uint16Array([0x3fc0, 0xc000])) }, // 1.5, -2
  { name: 'i8', ne: [3], type: 24, data: bytesOf(new Int8Array([-128, 0, 127])) },
  { name: 'i16', ne: [1, 2], type: 25, data: bytesOf(new Int16Array([-1, 300])) },
  { name: 'i32', ne: [2, 1, 1], type: 26, data: bytesOf(new Int32Array([-70000, 5])) },
  { name: 'blk.0.attn_q.weight', ne: [64, 2], type: 2, data: q40.data },
  { name: 'blk.0.attn_v.weight', ne: [32, 3], type: 3, data: q41.data },
  { name: 'blk.0.attn_k.weight', ne: [32, 1], type: 8, data: q80.data },
];
const handFile = buildGguf(meta, tensors, 64);
const handPath = write('hand.gguf', handFile);

describe('GGUF files as llama.cpp writes them', () => {
  it('loads plain tensors with the dimensions reversed; BF16 becomes float16 as in MLX', () => {
    const a = mx.load(handPath) as Record<string, mx.Array>;
    expect([a.f32!.shape, a.f32!.tolist()]).toEqual([
      [2, 3],
      [
        [0, 1, 2],
        [3, 4, 5],
      ],
    ]);
    expect([a.f16!.dtype, a.f16!.tolist()]).toEqual([mx.float16, [0.5, -2, 1024, 0]]);
    expect([a.bf16!.dtype, a.bf16!.tolist()]).toEqual([mx.float16, [1.5, -2]]);
    expect([a.i8!.dtype, a.i8!.tolist()]).toEqual([mx.int8, [-128, 0, 127]]);
    expect([a.i16!.dtype, a.i16!.shape, a.i16!.tolist()]).toEqual([mx.int16, [2, 1], [[-1], [300]]]);
    expect([a.i32!.dtype, a.i32!.shape]).toEqual([mx.int32, [1, 1, 2]]);
  });

  it("Q4_0, Q4_1 and Q8_0 become MLX's packed uint32 weights with float16 .scales and .biases (group size 32), dequantizing to llama.cpp's values", () => {
    const a = mx.load(handPath) as Record<string, mx.Array>;
    for (const [name, bits, want, shape] of [
      ['blk.0.attn_q', 4, q40.values, [2, 64]],
      ['blk.0.attn_v', 4, q41.values, [3, 32]],
      ['blk.0.attn_k', 8, q80.values, [1, 32]],
    ] as const) {
      const w = a[`${name}.weight`]!;
      const s = a[`${name}.scales`]!;
      const b = a[`${name}.biases`]!;
      expect([w.dtype, w.shape]).toEqual([mx.uint32, [shape[0], (shape[1] * bits) / 32]]);
      expect([s.dtype, s.shape, b.dtype, b.shape]).toEqual([mx.float16, [shape[0], shape[1] / 32], mx.float16, [shape[0], shape[1] / 32]]);
      // + 0 makes -0 (from (8 - 8) * negative d) compare equal to 0.
      expect(dequantize(w, s, b, bits).map((v) => v + 0)).toEqual(want.map((v) => v + 0));
    }
    expect(Object.keys(a)).toHaveLength(6 + 9);
  });

  it('returns the metadata as MLX does: strings, string lists, and arrays (0-d for scalars; float64 as float32, uint64 as int64)', () => {
    const [arrays, md] = mx.load(handPath, { returnMetadata: true });
    expect(Object.keys(arrays)).toContain('f32');
    const show = Object.fromEntries(Object.entries(md).map(([k, v]) => [k, v instanceof mx.Array ? [v.dtype.name, v.shape, v.tolist()] : v]));
    expect(show).toEqual({
      'general.architecture': 'llama',
      'general.alignment': ['uint32', [], 64],
      u8: ['uint8', [], 200],
      i8: ['int8', [], -5],
      u16: ['uint16', [], 60000],
      i16: ['int16', [], -300],
      i32: ['int32', [], -70000],
      f32: ['float32', [], 0.5],
      bool: ['bool', [], true],
      u64: ['int64', [], 2 ** 40],
      i64: ['int64', [], -(2 ** 40)],
      f64: ['float32', [], 0.25],
      tokens: ['<s>', 'héllo', ''],
      scores: ['float32', [2], [0.5, -1.5]],
      ids: ['int64', [2], [1, -2]],
      flags: ['bool', [2], [true, false]],
      bytes: ['uint8', [2], [1, 255]],
      doubles: ['float32', [1], [1.5]],
    });
    // Positionally too, as MLX's load(file, format, return_metadata).
    expect(mx.load(handPath, 'gguf', true)[1]['general.architecture']).toBe('llama');
  });

  it('reads version 2 and the default alignment of 32', () => {
    const file = write('v2.gguf', buildGguf([['name', { type: 'string', value: 'x' }]], [tensors[0]!, tensors[3]!], 32, 2));
    const a = mx.load(file) as Record<string, mx.Array>;
    expect(a.i8!.tolist()).toEqual([-128, 0, 127]);
  });

  it('refuses what MLX refuses, and names what it cannot do yet', () => {
    const one = (t: Partial<Tensor>): string => write('one.gguf', buildGguf([], [{ ...tensors[0]!, ...t }]));
    expect(() => mx.load(one({ type: 12, data: new Uint8Array(144) }))).toThrow(/not implemented yet: GGUF tensor type Q4_K \(tensor 'f32'\)/);
    expect(() => mx.load(one({ type: 99 }))).toThrow(/one\.gguf: not a valid GGUF file: tensor 'f32' has type 99/);
    expect(() => mx.load(one({ type: 2, ne: [16, 2], data: new Uint8Array(36) }))).toThrow(/innermost dimension 16, not a multiple of 32/);
    const nested = write('nested.gguf', buildGguf([['a', { type: 'array', of: 'u8', value: [] }]], []));
    const bytes = readFileSync(nested);
    bytes.writeUInt32LE(9, 24 + 9 + 4); // the element type, after the header, the key and the value type: an array of arrays
    writeFileSync(nested, bytes);
    expect(() => mx.load(nested)).toThrow(/'a' is an array of arrays; MLX reads one level/);
    expect(() => mx.load(write('v1.gguf', buildGguf([], [], 32, 1)))).toThrow(/version 1 is not supported/);
    const dup = write('dup.gguf', buildGguf([], [tensors[6]!, { ...tensors[0]!, name: 'blk.0.attn_q.scales' }]));
    expect(() => mx.load(dup)).toThrow(/the name 'blk.0.attn_q.scales' appears twice/);
  });
});

describe('mx.saveGguf', () => {
  it('round-trips the dtypes MLX writes, with metadata, appending .gguf', () => {
    const arrays = Object.fromEntries(
      [mx.float32, mx.float16, mx.int8, mx.int16, mx.int32].map((d) => [`w.${d.name}`, mx.astype(mx.reshape(mx.arange(-6, 6), [2, 3, 2]), d)]),
    );
    arrays.scalar = mx.array(3.5);
    const md = { name: 'tiny', vocab: ['a', 'b'], n: mx.array(7, mx.uint32), ids: mx.array([1, -2], mx.int64), on: mx.array([true, false]) };
    mx.saveGguf(join(dir, 'rt'), arrays, md);
    const [back, meta2] = mx.load(join(dir, 'rt.gguf'), { returnMetadata: true });
    for (const [k, v] of Object.entries(arrays)) expect([k, back[k]!.dtype, back[k]!.shape, back[k]!.tolist()]).toEqual([k, v.dtype, v.shape, v.tolist()]);
    expect(meta2.name).toBe('tiny');
    expect(meta2.vocab).toEqual(['a', 'b']);
    expect([(meta2.n as mx.Array).dtype, (meta2.n as mx.Array).tolist()]).toEqual([mx.uint32, 7]);
    expect((meta2.ids as mx.Array).tolist()).toEqual([1, -2]);
    expect((meta2.on as mx.Array).tolist()).toEqual([true, false]);
    // Tensor data starts 32-byte aligned.
    const file = readFileSync(join(dir, 'rt.gguf'));
    expect(file.subarray(0, 4).toString('latin1')).toBe('GGUF');
    expect(file.readUInt32LE(4)).toBe(3);
  });

  it('writes the bytes the spec lays out (the hand-built file of the same content)', () => {
    const f32 = new Float32Array([1, 2, 3, 4, 5, 6]);
    const i16 = new Int16Array([-1, 2, 3]);
    mx.saveGguf(
      join(dir, 'same.gguf'),
      { a: mx.reshape(mx.array(f32), [3, 2]), b: mx.array(i16) },
      { name: 'x', n: mx.array(5, mx.uint32), ids: mx.array([1, 2], mx.int32), words: ['a', 'bc'] },
    );
    const want = buildGguf(
      [
        ['name', { type: 'string', value: 'x' }],
        ['n', { type: 'u32', value: 5 }],
        ['ids', { type: 'array', of: 'i32', value: [1, 2] }],
        ['words', { type: 'array', of: 'string', value: ['a', 'bc'] }],
      ],
      [
        { name: 'a', ne: [2, 3], type: 0, data: bytesOf(f32) },
        { name: 'b', ne: [3], type: 25, data: bytesOf(i16) },
      ],
    );
    expect(Buffer.from(readFileSync(join(dir, 'same.gguf'))).equals(Buffer.from(want))).toBe(true);
  });

  it('refuses dtypes and metadata MLX refuses', () => {
    expect(() => mx.saveGguf(join(dir, 'x'), { w: mx.ones([2], mx.float64) })).toThrow(
      /saveGguf: 'w' has dtype float64; MLX writes GGUF tensors of float32, float16/,
    );
    expect(() => mx.saveGguf(join(dir, 'x'), { w: mx.ones([2], mx.bfloat16) })).toThrow(/dtype bfloat16/);
    expect(() => mx.saveGguf(join(dir, 'x'), {}, { m: mx.ones([2, 2]) })).toThrow(/at most one dimension/);
    expect(() => mx.saveGguf(join(dir, 'x'), {}, { m: mx.ones([0]) })).toThrow(/cannot store an empty array/);
    expect(() => mx.saveGguf(join(dir, 'x'), {}, { m: mx.ones([1], mx.float16) })).toThrow(/'m' has dtype float16; GGUF metadata takes/);
    expect(() => mx.saveGguf(join(dir, 'x'), {}, { m: 5 as unknown as string })).toThrow(/saveGguf: expected an mlx-ts Array for 'm', got/);
  });
});
