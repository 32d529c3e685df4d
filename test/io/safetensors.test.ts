/** mx.saveSafetensors and mx.load on safetensors: every dtype, metadata, and a file from another writer (bytes built here per the format). */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mx } from '../helpers/index.js';

const dir = mkdtempSync(join(tmpdir(), 'mlx-ts-io-st-'));

/** A safetensors file as another writer might lay it out: header keys in its own order, metadata first, tensors' data in a different order than the header's, padding spaces. */
function foreignFile(): Uint8Array {
  const tensors: [string, string, number[], Uint8Array][] = [
    ['model.embed.weight', 'F16', [2, 2], new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x3800, 0x0000]).buffer)], // 1, -2, 0.5, 0
    ['bf', 'BF16', [2], new Uint8Array(new Uint16Array([0x3fc0, 0xc040]).buffer)], // 1.5, -3
    ['flags', 'BOOL', [3], new Uint8Array([1, 0, 1])],
    ['counts', 'I64', [2], new Uint8Array(new BigInt64Array([-5n, 2n ** 40n]).buffer)],
    ['u16', 'U16', [1], new Uint8Array(new Uint16Array([65535]).buffer)],
    ['fp8', 'F8_E4M3', [2], new Uint8Array([0x7e, 0xfe])],
  ];
  // Data in reverse header order.
  const offsets = new Map<string, [number, number]>();
  let at = 0;
  for (const [name, , , data] of [...tensors].reverse()) {
    offsets.set(name, [at, at + data.length]);
    at += data.length;
  }
  const header: Record<string, unknown> = { __metadata__: { format: 'pt', note: 'from elsewhere' } };
  for (const [name, dtype, shape] of tensors) header[name] = { shape, data_offsets: offsets.get(name), dtype };
  let json = JSON.stringify(header, null, 1);
  json += ' '.repeat(7);
  const head = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + head.length + at);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  for (const [name, , , data] of tensors) out.set(data, 8 + head.length + offsets.get(name)![0]);
  return out;
}

describe('safetensors', () => {
  it('every dtype round-trips, with metadata, appending .safetensors', () => {
    const all = [mx.bool, mx.uint8, mx.uint16, mx.uint32, mx.int8, mx.int16, mx.int32, mx.int64, mx.float16, mx.bfloat16, mx.float32, mx.float64];
    const arrays = Object.fromEntries(
      all.map((d) => [
        d.name,
        mx.astype(
          mx.array([
            [0, 1, -2],
            [3, 4.5, 100],
          ]),
          d,
        ),
      ]),
    );
    arrays.empty = mx.zeros([0, 4]);
    arrays.scalar = mx.array(7, mx.int32);
    arrays.t = mx.transpose(mx.reshape(mx.arange(6), [2, 3]));
    mx.saveSafetensors(join(dir, 'all'), arrays, { testing: 'test', format: 'mlx' });
    const [back, md] = mx.load(join(dir, 'all.safetensors'), { returnMetadata: true });
    expect(md).toEqual({ testing: 'test', format: 'mlx' });
    expect(Object.keys(back)).toEqual(Object.keys(arrays));
    for (const [k, v] of Object.entries(arrays)) expect([k, back[k]!.dtype, back[k]!.shape, back[k]!.tolist()]).toEqual([k, v.dtype, v.shape, v.tolist()]);
    // The format: an 8-byte length, a JSON header with MLX's dtype names, data 8-byte aligned.
    const file = readFileSync(join(dir, 'all.safetensors'));
    const n = Number(file.readBigUInt64LE(0));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(file.subarray(8, 8 + n).toString('utf8'));
    expect(header.bfloat16).toEqual({ dtype: 'BF16', shape: [2, 3], data_offsets: expect.any(Array) });
    expect(header.float32.dtype).toBe('F32');
    expect(header.__metadata__).toEqual({ testing: 'test', format: 'mlx' });
  });

  it('loads a file from another writer', () => {
    const file = join(dir, 'foreign.safetensors');
    writeFileSync(file, foreignFile());
    const [a, md] = mx.load(file, { returnMetadata: true });
    expect(md).toEqual({ format: 'pt', note: 'from elsewhere' });
    expect([a['model.embed.weight']!.dtype, a['model.embed.weight']!.tolist()]).toEqual([
      mx.float16,
      [
        [1, -2],
        [0.5, 0],
      ],
    ]);
    expect([a.bf!.dtype, a.bf!.tolist()]).toEqual([mx.bfloat16, [1.5, -3]]);
    expect(a.flags!.tolist()).toEqual([true, false, true]);
    expect(a.counts!.tolist()).toEqual([-5, 2 ** 40]);
    expect(a.u16!.tolist()).toEqual([65535]);
    // 8-bit floats load as their bytes, as in MLX (for mx.from_fp8).
    expect([a.fp8!.dtype, a.fp8!.tolist()]).toEqual([mx.uint8, [0x7e, 0xfe]]);
    // Without returnMetadata, just the arrays; the format can be given for any file name.
    const renamed = join(dir, 'weights.bin');
    writeFileSync(renamed, foreignFile());
    expect(Object.keys(mx.load(renamed, { format: 'safetensors' }))).toHaveLength(6);
  });

  it('refuses what it cannot represent and metadata that is not strings', () => {
    const file = join(dir, 'u64.safetensors');
    const head = Buffer.from(JSON.stringify({ x: { dtype: 'U64', shape: [1], data_offsets: [0, 8] } }));
    const bytes = Buffer.concat([Buffer.alloc(8), head, Buffer.alloc(8)]);
    bytes.writeBigUInt64LE(BigInt(head.length), 0);
    writeFileSync(file, bytes);
    expect(() => mx.load(file)).toThrow(/u64\.safetensors: not a valid safetensors file: tensor 'x' has dtype "U64" \(mlx-ts has no uint64 dtype\)/);
    expect(() => mx.saveSafetensors(join(dir, 'm'), { a: mx.ones([1]) }, { testing: 0 } as unknown as Record<string, string>)).toThrow(
      /saveSafetensors: metadata must be an object of string values/,
    );
    expect(() => mx.load(join(dir, 'all.safetensors'), { returnMetadata: 1 as unknown as boolean })).toThrow(/load: expected returnMetadata to be/);
  });
});
