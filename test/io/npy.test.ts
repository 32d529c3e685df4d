/**
 * mx.save / mx.savez / mx.savezCompressed / mx.load on NumPy's formats. The fixtures are written by
 * NumPy (test/io/numpy_fixtures.py); mlx-ts's writer must reproduce their bytes exactly, which is
 * what makes np.load read mlx-ts's files without Python in the test.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mx } from '../helpers/index.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const values = JSON.parse(readFileSync(join(fixtures, 'values.json'), 'utf8')) as Record<string, unknown>;
const dir = mkdtempSync(join(tmpdir(), 'mlx-ts-io-npy-'));
const dtypes = ['bool', 'uint8', 'uint16', 'uint32', 'int8', 'int16', 'int32', 'int64', 'float16', 'float32', 'float64'] as const;

describe('files NumPy wrote', () => {
  for (const name of dtypes) {
    it(`${name}.npy loads with its dtype and values, and mlx-ts writes the same bytes back`, () => {
      const file = join(fixtures, `${name}.npy`);
      const a = mx.load(file) as mx.Array;
      expect(a.dtype).toBe(mx.toDtype(name));
      expect(a.shape).toEqual([2, 3]);
      expect(a.tolist()).toEqual(values[name]);
      const out = join(dir, `${name}.npy`);
      mx.save(out, a);
      expect(Buffer.from(readFileSync(out)).equals(readFileSync(file))).toBe(true);
    });
  }

  for (const name of ['scalar', 'empty', 'vector']) {
    it(`${name}.npy round-trips byte for byte`, () => {
      const file = join(fixtures, `${name}.npy`);
      const a = mx.load(file) as mx.Array;
      expect(a.tolist()).toEqual(name === 'empty' ? [] : values[name]);
      expect(Buffer.from(mx.nn.encodeNpy(a)).equals(readFileSync(file))).toBe(true);
    });
  }

  it('reads Fortran order, big-endian data and format 2.0', () => {
    expect((mx.load(join(fixtures, 'fortran.npy')) as mx.Array).tolist()).toEqual(values.fortran);
    const big = mx.load(join(fixtures, 'bigendian.npy')) as mx.Array;
    expect([big.dtype, big.tolist()]).toEqual([mx.int32, values.bigendian]);
    expect((mx.load(join(fixtures, 'version2.npy')) as mx.Array).tolist()).toEqual(values.version2);
  });

  for (const file of ['arrays.npz', 'arrays_compressed.npz']) {
    it(`${file} (np.savez${file.includes('compressed') ? '_compressed' : ''}) loads as {name: array}`, () => {
      const got = mx.load(join(fixtures, file)) as Record<string, mx.Array>;
      expect(Object.keys(got).sort()).toEqual(['bias', 'mask', 'weight']);
      expect(got.bias!.dtype).toBe(mx.int64);
      expect(Object.fromEntries(Object.entries(got).map(([k, v]) => [k, v.tolist()]))).toEqual(values.arrays);
    });
  }

  it("np.savez's unnamed arrays are arr_0, arr_1, ...", () => {
    const got = mx.load(join(fixtures, 'positional.npz')) as Record<string, mx.Array>;
    expect(Object.keys(got).sort()).toEqual(['arr_0', 'arr_1']);
    expect(got.arr_1!.dtype).toBe(mx.float16);
    expect(got.arr_1!.tolist()).toEqual([0.25]);
  });
});

describe('mx.savez and mx.savezCompressed', () => {
  it('write .npz entries holding the bytes np.save writes, appending .npz, and load back', () => {
    for (const [fn, stem] of [
      [mx.savez, 'plain'],
      [mx.savezCompressed, 'packed'],
    ] as const) {
      const w = mx.load(join(fixtures, 'float32.npy')) as mx.Array;
      fn(join(dir, stem), w, { mask: mx.array([true, false]) });
      expect(existsSync(join(dir, `${stem}.npz`))).toBe(true);
      // A stored (uncompressed) zip holds each entry's bytes verbatim.
      if (stem === 'plain') expect(readFileSync(join(dir, 'plain.npz')).includes(readFileSync(join(fixtures, 'float32.npy')))).toBe(true);
      const back = mx.load(join(dir, `${stem}.npz`)) as Record<string, mx.Array>;
      expect(back.mask!.tolist()).toEqual([true, false]);
      expect(back.arr_0!.tolist()).toEqual(values.float32);
    }
    // The compressed file is smaller for compressible data.
    const zeros = mx.zeros([1000]);
    mx.savez(join(dir, 'z.npz'), { zeros });
    mx.savezCompressed(join(dir, 'zc.npz'), { zeros });
    expect(readFileSync(join(dir, 'zc.npz')).length).toBeLessThan(readFileSync(join(dir, 'z.npz')).length / 10);
  });

  it('refuse a name given twice and non-arrays', () => {
    expect(() => mx.savez(join(dir, 'dup'), mx.ones([1]), { arr_0: mx.ones([1]) })).toThrow(/savez: the name 'arr_0' is given twice \(unnamed arrays/);
    expect(() => mx.savez(join(dir, 'bad'), { w: [1, 2] as unknown as mx.Array })).toThrow(/savez: expected an mlx-ts Array for 'w', got/);
    expect(() => mx.savezCompressed(5 as unknown as string)).toThrow(/savezCompressed: expected a file path/);
  });
});

describe('round trips', () => {
  it('every dtype through .npy and .npz, bfloat16 as MLX writes it (<V2)', () => {
    const all = [...dtypes.map((d) => mx.toDtype(d)), mx.bfloat16];
    const src = Object.fromEntries(
      all.map((d) => [
        d.name,
        mx.astype(
          mx.array([
            [0, 1, -2],
            [3, 4.5, 65504],
          ]),
          d,
        ),
      ]),
    );
    for (const [name, a] of Object.entries(src)) {
      mx.save(join(dir, `rt-${name}.npy`), a);
      const back = mx.load(join(dir, `rt-${name}.npy`)) as mx.Array;
      expect([back.dtype, back.shape, back.tolist()]).toEqual([a.dtype, a.shape, a.tolist()]);
    }
    expect(readFileSync(join(dir, 'rt-bfloat16.npy')).toString('latin1')).toContain("'descr': '<V2'");
    mx.savez(join(dir, 'rt.npz'), src);
    const back = mx.load(join(dir, 'rt.npz')) as Record<string, mx.Array>;
    for (const [name, a] of Object.entries(src)) expect([back[name]!.dtype, back[name]!.tolist()]).toEqual([a.dtype, a.tolist()]);
  });

  it('non-contiguous arrays (a transpose, a broadcast) are written in row-major order', () => {
    const t = mx.transpose(mx.reshape(mx.arange(6, mx.float16), [2, 3]));
    mx.save(join(dir, 't'), t);
    expect((mx.load(join(dir, 't.npy')) as mx.Array).tolist()).toEqual(t.tolist());
    const b = mx.broadcastTo(mx.array([1, 4, 7], mx.int64), [2, 3]);
    mx.save(join(dir, 'b.npy'), b);
    expect((mx.load(join(dir, 'b.npy')) as mx.Array).tolist()).toEqual([
      [1, 4, 7],
      [1, 4, 7],
    ]);
  });
});
