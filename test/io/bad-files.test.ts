/**
 * Bad files give an Error naming the file and the fault, never a crash or another error type: every
 * truncation of a small valid file of each format, every header byte changed, and bad paths and
 * arguments to mx.load.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mx } from '../helpers/index.js';
import { buildGguf } from './gguf-builder.js';
import { readFormat } from '../../packages/io/src/api.js';
import { bytesSource } from '../../packages/io/src/source.js';

const dir = mkdtempSync(join(tmpdir(), 'mlx-ts-io-bad-'));
const w = mx.reshape(mx.arange(6, mx.float32), [2, 3]);

function validFiles(): Record<string, Uint8Array> {
  mx.save(join(dir, 'ok.npy'), w);
  mx.savez(join(dir, 'ok.npz'), { w, b: mx.array([true]) });
  mx.saveSafetensors(join(dir, 'ok.safetensors'), { w, h: mx.astype(w, mx.float16) }, { k: 'v' });
  mx.saveGguf(join(dir, 'ok.gguf'), { w, 'x.weight': mx.astype(w, mx.int8) }, { name: 'n', ids: mx.array([1, 2], mx.int32), list: ['a', 'b'] });
  const q = new Uint8Array(18).fill(0x21);
  const hand = buildGguf([['general.alignment', { type: 'u32', value: 16 }]], [{ name: 'q.weight', ne: [32], type: 2, data: q }], 16);
  writeFileSync(join(dir, 'hand.gguf'), hand);
  return Object.fromEntries(['ok.npy', 'ok.npz', 'ok.safetensors', 'ok.gguf', 'hand.gguf'].map((f) => [f, readFileSync(join(dir, f))]));
}

/**
 * Decodes `bytes` as the file `name` (in memory: writing a file per case would cost more than the
 * decoding); an Error must be a plain Error that names the file. Returns whether it loaded.
 */
function tryLoad(name: string, bytes: Uint8Array): boolean {
  const label = `fuzz/${name}`;
  try {
    const r = readFormat(bytesSource(bytes, label), name.slice(name.lastIndexOf('.') + 1) as 'npy', false);
    mx.eval(r instanceof mx.Array ? r : Object.values(r as Record<string, mx.Array>));
    return true;
  } catch (e) {
    if ((e as Error).constructor !== Error || !(e as Error).message.includes(label)) throw e;
    return false;
  }
}

describe('bad files', () => {
  const files = validFiles();
  for (const [name, bytes] of Object.entries(files)) {
    it(`${name}: every truncation fails with an Error naming the file`, () => {
      expect(tryLoad(name, bytes)).toBe(true);
      // The file itself, through mx.load, to check that the path is what errors name.
      const cut = join(dir, `cut-${name}`);
      writeFileSync(cut, bytes.subarray(0, bytes.length - 1));
      expect(() => mx.load(cut)).toThrow(cut);
      const loaded: number[] = [];
      for (let n = 0; n < bytes.length; n++) if (tryLoad(name, bytes.subarray(0, n))) loaded.push(n);
      expect(loaded).toEqual([]);
    });

    it(`${name}: every header byte changed either loads or fails with an Error naming the file`, () => {
      // The header: everything before the last tensor's data.
      const headerEnd = name.endsWith('.npz') ? bytes.length : bytes.length - 24;
      let failures = 0;
      for (let i = 0; i < headerEnd; i++) {
        for (const change of [0xff, 0x01]) {
          const b = Uint8Array.from(bytes);
          b[i]! ^= change;
          if (!tryLoad(name, b)) failures++;
        }
      }
      expect(failures).toBeGreaterThan(0);
    });
  }

  it('a header that lies about sizes or offsets names the fault', () => {
    const st = Buffer.from(files['ok.safetensors']!);
    const n = Number(st.readBigUInt64LE(0));
    const lie = Buffer.from(
      st
        .subarray(8, 8 + n)
        .toString('utf8')
        .replace('"shape":[2,3]', '"shape":[2,4]'),
    );
    const file = join(dir, 'lie.safetensors');
    writeFileSync(file, Buffer.concat([st.subarray(0, 8), lie, st.subarray(8 + n)]));
    expect(() => mx.load(file)).toThrow(
      /lie\.safetensors: not a valid safetensors file: tensor 'w' of dtype F32 and shape \[2, 4\] needs 32 bytes, its data_offsets \[0, 24\] span 24/,
    );
    const big = Buffer.from(st);
    big.writeBigUInt64LE(1n << 40n, 0);
    writeFileSync(file, big);
    expect(() => mx.load(file)).toThrow(/the header length 1099511627776 is outside/);
    const npy = Buffer.from(files['ok.npy']!);
    writeFileSync(join(dir, 'lie.npy'), Buffer.from(npy.toString('latin1').replace('(2, 3)', '(9, 3)'), 'latin1'));
    expect(() => mx.load(join(dir, 'lie.npy'))).toThrow(
      /lie\.npy: not a valid \.npy file: dtype <f4 and shape \(9, 3\) need 108 bytes of data, the file has 24/,
    );
    writeFileSync(join(dir, 'magic.gguf'), Buffer.from('GGUX\x03\x00\x00\x00'));
    expect(() => mx.load(join(dir, 'magic.gguf'))).toThrow(/magic\.gguf: not a valid GGUF file: it does not start with the magic 'GGUF'/);
    const g = Buffer.from(files['hand.gguf']!);
    g.writeBigUInt64LE(1000n, 8); // 1000 tensors
    writeFileSync(join(dir, 'count.gguf'), g);
    expect(() => mx.load(join(dir, 'count.gguf'))).toThrow(
      /count\.gguf: not a valid GGUF file: (.* runs past the end of the \d+-byte file|.* beyond any file size)/,
    );
  });

  it('unknown dtypes name themselves', () => {
    const npy = Buffer.from(files['ok.npy']!);
    writeFileSync(join(dir, 'c.npy'), Buffer.from(npy.toString('latin1').replace('<f4', '<c8'), 'latin1'));
    expect(() => mx.load(join(dir, 'c.npy'))).toThrow(/c\.npy: not a valid \.npy file: dtype '<c8' is not supported/);
  });
});

describe('mx.load arguments', () => {
  it('a missing path, a directory, an unknown or missing extension, metadata where the format has none', () => {
    expect(() => mx.load(join(dir, 'nope.npy'))).toThrow(/load: .*nope\.npy does not exist/);
    mkdirSync(join(dir, 'folder.npz'));
    expect(() => mx.load(join(dir, 'folder.npz'))).toThrow(/load: .*folder\.npz is a directory, not a file/);
    expect(() => mx.load(join(dir, 'weights.pt'))).toThrow(
      /load: unknown file format 'pt' of .*weights\.pt; expected \.npy, \.npz, \.safetensors, \.gguf or a format option/,
    );
    expect(() => mx.load(join(dir, 'weights'))).toThrow(/load: cannot infer the format of .*weights from its extension; pass format/);
    expect(() => mx.load(join(dir, 'ok.npy'), { returnMetadata: true })).toThrow(/load: metadata is not supported for format npy/);
    expect(() => mx.load(join(dir, 'ok.npy'), 'pickle' as 'npy')).toThrow(/load: expected format to be one of 'npy', 'npz', 'safetensors', 'gguf', got/);
    expect(() => mx.load(5 as unknown as string)).toThrow(/load: expected a file path/);
    expect(() => mx.save(join(dir, 'x'), [1] as unknown as mx.Array)).toThrow(/save: expected an mlx-ts Array, got/);
  });

  it('stream places the loaded arrays', () => {
    const a = mx.load(join(dir, 'ok.npy'), { stream: mx.cpu }) as mx.Array;
    expect(a.tolist()).toEqual(w.tolist());
  });
});
