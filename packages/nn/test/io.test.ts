/** saveWeights/loadWeights (module.ts) over the formats of @mlx-ts/io (packages/io: npz.ts, safetensors.ts). */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as mx from 'mlx-ts';
import { nn } from 'mlx-ts';
import { assertAllClose } from '@mlx-ts/testing';
import { fixturePath, readFixture } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'mlx-ts-nn-io-'));

class Net extends nn.Module {
  inProj = new nn.Linear(3, 4);
  norm = new nn.BatchNorm(4);
  outProj = new nn.Linear(4, 2);

  override forward(x: mx.Array): mx.Array {
    return this.outProj.forward(this.norm.forward(this.inProj.forward(x)));
  }
}

const fx = readFixture('weights.json');
const names = Object.keys(fx.weights!).sort();

describe('saveWeights and loadWeights', () => {
  for (const ext of ['safetensors', 'npz']) {
    it(`round-trip through .${ext}, with MLX's snake_case names in the file`, () => {
      const a = new Net();
      const file = join(dir, `net.${ext}`);
      a.saveWeights(file);
      const stored = (ext === 'npz' ? nn.loadNpz(file) : nn.loadSafetensors(file)).map(([k]) => k).sort();
      expect(stored).toEqual(names);
      const b = new Net();
      b.loadWeights(file);
      for (const [[ka, va], [kb, vb]] of mx.utils
        .treeFlatten<mx.Array>(a.parameters())
        .map((p, i) => [p, mx.utils.treeFlatten<mx.Array>(b.parameters())[i]!] as const)) {
        expect(kb).toBe(ka);
        expect(mx.arrayEqual(va, vb).itemBool()).toBe(true);
      }
    });
  }

  it('every dtype survives both formats', () => {
    const arrays: [string, mx.Array][] = [mx.float32, mx.float64, mx.float16, mx.int8, mx.int16, mx.int32, mx.int64, mx.uint8, mx.uint16, mx.uint32].map(
      (d) => [
        d.name,
        mx.astype(
          mx.array([
            [0, 1, 2],
            [3, 4, 5],
          ]),
          d,
        ),
      ],
    );
    arrays.push(['bool', mx.array([true, false, true])], ['scalar', mx.array(2.5)]);
    for (const ext of ['safetensors', 'npz']) {
      const file = join(dir, `all.${ext}`);
      if (ext === 'npz') nn.saveNpz(file, arrays);
      else nn.saveSafetensors(file, [...arrays, ['bf16', mx.astype(mx.array([1.5, -2]), mx.bfloat16)]]);
      const back = new Map(ext === 'npz' ? nn.loadNpz(file) : nn.loadSafetensors(file));
      for (const [k, v] of arrays) {
        const got = back.get(k)!;
        expect(got.dtype).toBe(v.dtype);
        expect(got.shape).toEqual(v.shape);
        expect(got.tolist()).toEqual(v.tolist());
      }
      if (ext === 'safetensors') expect(back.get('bf16')!.tolist()).toEqual([1.5, -2]);
    }
    // NumPy has no bfloat16: MLX writes it as '<V2' (2-byte voids to NumPy) and reads that back as bfloat16.
    nn.saveNpz(join(dir, 'bf.npz'), [['x', mx.astype(mx.array([1.5, -2]), mx.bfloat16)]]);
    const [[, bf]] = nn.loadNpz(join(dir, 'bf.npz')) as [[string, mx.Array]];
    expect([bf.dtype, bf.tolist()]).toEqual([mx.bfloat16, [1.5, -2]]);
  });

  for (const file of ['model.npz', 'model_compressed.npz', 'model.safetensors']) {
    it(`loads ${file}, written by NumPy/Python from a PyTorch state_dict with MLX's names, and matches PyTorch`, () => {
      const net = new Net();
      net.loadWeights(fixturePath(file));
      expect(net.outProj.weight.tolist()).toEqual((fx.weights!['out_proj.weight'] as number[][]).map((r) => r.map(Math.fround)));
      expect(net.norm.runningVar!.tolist()).toEqual((fx.weights!['norm.running_var'] as number[]).map(Math.fround));
      net.eval();
      assertAllClose(net.forward(mx.array(fx.x as unknown as mx.NestedList)), mx.array(fx.yEval as unknown as mx.NestedList), { rtol: 1e-5, atol: 1e-6 });
    });
  }

  it('strict loading names every unexpected and missing key and every shape mismatch', () => {
    const net = new Net();
    const w: [string, mx.Array][] = [
      ['in_proj.weight', mx.zeros([4, 3])],
      ['in_proj.bias', mx.zeros([5])],
      ['out_proj.wieght', mx.zeros([2, 4])],
      ['extra', mx.zeros([1])],
    ];
    let msg = '';
    try {
      net.loadWeights(w);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain('Net.loadWeights: the weights do not match the model');
    expect(msg).toContain('2 unexpected (not in the model): extra, out_proj.wieght');
    expect(msg).toContain('6 missing: norm.bias, norm.running_mean, norm.running_var, norm.weight, out_proj.bias, out_proj.weight\n');
    expect(msg).toContain('in_proj.bias: expected shape [4], got [5]');
    // Not strict: loads what matches, unchecked.
    net.loadWeights(w, false);
    expect(net.inProj.weight.tolist()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    // The properties' own names work in pairs too.
    net.loadWeights([['outProj.bias', mx.ones([2])]], { strict: false });
    expect(net.outProj.bias!.tolist()).toEqual([1, 1]);
  });

  it('bad files and extensions give errors naming the file', () => {
    const net = new Net();
    expect(() => net.saveWeights(join(dir, 'w.pt'))).toThrow(/unsupported file extension for .*w\.pt; use \.npz or \.safetensors/);
    expect(() => net.loadWeights(join(dir, 'missing.npz'))).toThrow(/missing\.npz does not exist/);
    const junk = join(dir, 'junk.safetensors');
    writeFileSync(junk, Buffer.from('\x05\x00\x00\x00\x00\x00\x00\x00{abc}'));
    expect(() => net.loadWeights(junk)).toThrow(/junk\.safetensors: not a valid safetensors file: the header is not JSON/);
    const short = join(dir, 'short.safetensors');
    writeFileSync(short, readFileSync(fixturePath('model.safetensors')).subarray(0, 200));
    expect(() => net.loadWeights(short)).toThrow(/short\.safetensors: not a valid safetensors file/);
    const zip = join(dir, 'junk.npz');
    writeFileSync(zip, 'not a zip');
    expect(() => net.loadWeights(zip)).toThrow(/junk\.npz: not a valid \.npz file/);
  });
});

describe('npy', () => {
  it('reads Fortran-ordered arrays and checks headers', () => {
    const a = mx.array(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      mx.int32,
    );
    expect(nn.decodeNpy(nn.encodeNpy(a)).tolist()).toEqual(a.tolist());
    const bytes = nn.encodeNpy(mx.array([1, 2, 3, 4, 5, 6], mx.int32));
    const text = Buffer.from(bytes)
      .toString('latin1')
      .replace("'fortran_order': False, 'shape': (6,)", "'fortran_order': True, 'shape': (2, 3)")
      .replace(' \n', '\n'); // same length
    expect(nn.decodeNpy(Buffer.from(text, 'latin1')).tolist()).toEqual([
      [1, 3, 5],
      [2, 4, 6],
    ]);
    expect(() => nn.decodeNpy(new Uint8Array(4), 'x.npy')).toThrow(/x\.npy: not a valid \.npy file/);
  });
});

describe('the file functions check their arguments', () => {
  it('a wrong kind is an Error naming the function and what it expected', () => {
    const a = mx.ones([2]);
    expect(() => nn.saveNpz(5 as never, { a })).toThrow(/saveNpz: expected a file path \(a non-empty string\), got a number \(5\)/);
    expect(() => nn.saveNpz(join(dir, 'x.npz'), 5 as never)).toThrow(/saveNpz: expected \{name: array\} or \[name, array\] pairs, got a number \(5\)/);
    expect(() => nn.saveNpz(join(dir, 'x.npz'), { a: [1, 2] } as never)).toThrow(/saveNpz: expected an mlx-ts Array for 'a', got a JS array/);
    expect(() => nn.saveSafetensors(join(dir, 'x.safetensors'), [['a', a]], { n: 1 } as never)).toThrow(
      /saveSafetensors: metadata must be an object of string values/,
    );
    expect(() => nn.encodeSafetensors([[1, a]] as never)).toThrow(/encodeSafetensors: entry 0 is not a \[name, array\] pair/);
    expect(() => nn.encodeNpy('abc' as never)).toThrow(/encodeNpy: expected an mlx-ts Array, got a string \('abc'\)/);
    expect(() => nn.decodeNpy([1, 2] as never)).toThrow(/decodeNpy: expected the file's bytes \(a Uint8Array or Buffer\)/);
    expect(() => nn.decodeSafetensors(undefined as never)).toThrow(/decodeSafetensors: expected the file's bytes/);
    expect(() => nn.loadNpz(undefined as never)).toThrow(/loadNpz: expected a file path/);
    expect(() => nn.loadSafetensors('')).toThrow(/loadSafetensors: expected a file path/);
    expect(() => mx.treeUnflatten((2 ** 53) as never, [])).toThrow(/treeUnflatten: expected a TreeDef \(from treeFlatten\) first, got a number/);
  });
});
