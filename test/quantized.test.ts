/**
 * Quantization (core/src/ops/quantized.ts, nn/src/layers/quantized.ts) against MLX's formulas: the
 * packing bit for bit, dequantization within MLX's bound (test_quantized.py), quantizedMatmul
 * against dequantize + matmul (the layers: packages/nn/test/quantized.test.ts).
 */
import { describe, expect, it } from 'vitest';
import * as mx from 'mlx-ts';
import { assertAllClose } from '@mlx-ts/testing';

const allBits = [2, 3, 4, 5, 6, 8];
const allGroups = [32, 64, 128];

/** MLX's CPU quantizer for one row, in float32 (Math.fround at every step), packed as a bit stream. */
function mlxQuantizeRow(w: number[], gs: number, bits: number): { words: number[]; scales: number[]; biases: number[] } {
  const f = Math.fround;
  const nBins = 2 ** bits - 1;
  const codes: number[] = [];
  const scales: number[] = [];
  const biases: number[] = [];
  for (let g = 0; g < w.length / gs; g++) {
    const v = w.slice(g * gs, (g + 1) * gs).map(f);
    const wMax = Math.max(...v),
      wMin = Math.min(...v);
    const mask = Math.abs(wMin) > Math.abs(wMax);
    let scale = Math.max(f(f(wMax - wMin) / nBins), f(1e-7));
    scale = mask ? scale : -scale;
    const edge = mask ? wMin : wMax;
    const rint = (x: number) => {
      const r = Math.round(x);
      return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
    };
    const q0 = rint(f(edge / scale));
    let bias = 0;
    if (q0 !== 0) {
      scale = f(edge / q0);
      bias = edge;
    }
    for (const x of v) codes.push(Math.min(Math.max(rint(f(f(x - bias) / scale)), 0), nBins));
    scales.push(scale);
    biases.push(bias);
  }
  const words = new Array<number>((w.length * bits) / 32).fill(0);
  codes.forEach((c, i) => {
    for (let b = 0; b < bits; b++) if ((c >> b) & 1) words[Math.floor((i * bits + b) / 32)]! += 2 ** ((i * bits + b) % 32);
  });
  return { words, scales, biases };
}

describe('quantize', () => {
  it("packs exactly as MLX's kernel does, straddling words at 3, 5 and 6 bits", () => {
    const w = mx.random.normal([2, 128], { key: mx.random.key(1) });
    const rows = w.tolist() as number[][];
    for (const bits of allBits) {
      for (const gs of allGroups) {
        const [wq, s, b] = mx.quantize(w, gs, bits);
        expect(wq.dtype).toBe(mx.uint32);
        expect(wq.shape).toEqual([2, (128 * bits) / 32]);
        expect(s.shape).toEqual([2, 128 / gs]);
        rows.forEach((row, r) => {
          const e = mlxQuantizeRow(row, gs, bits);
          expect((wq.tolist() as number[][])[r]).toEqual(e.words);
          expect((s.tolist() as number[][])[r]).toEqual(e.scales);
          expect((b.tolist() as number[][])[r]).toEqual(e.biases);
        });
      }
    }
  });

  it("dequantizes within MLX's bound: |w - dequantize(quantize(w))| <= |scale| + 1e-6 per group", () => {
    const w = mx.random.normal([16, 512], { key: mx.random.key(2) });
    for (const gs of allGroups) {
      for (const bits of allBits) {
        const [wq, s, b] = mx.quantize(w, { groupSize: gs, bits });
        const err = mx.abs(mx.subtract(w, mx.dequantize(wq, s, b, gs, bits))).reshape([...s.shape, -1]);
        const bound = mx.abs(mx.add(mx.expandDims(s, -1), 1e-6));
        expect(mx.all(mx.lessEqual(err, bound)).item()).toBe(1);
      }
    }
  });

  it('round-trips zeros exactly, keeps the dtype of w in scales and biases, and takes dtype', () => {
    const [wq, s, b] = mx.quantize(mx.zeros([4, 64]), 32, 3);
    expect(mx.all(mx.equal(mx.dequantize(wq, s, b, 32, 3), 0)).item()).toBe(1);
    const [, s16, b16] = mx.quantize(mx.ones([2, 64], mx.float16));
    expect([s16.dtype, b16.dtype]).toEqual([mx.float16, mx.float16]);
    expect(mx.dequantize(wq, s, b, { groupSize: 32, bits: 3, dtype: mx.bfloat16 }).dtype).toBe(mx.bfloat16);
  });

  it('refuses what MLX refuses, naming the problem', () => {
    const w = mx.ones([4, 64]);
    expect(() => mx.quantize(w, 16)).toThrow(/quantize: groupSize must be one of 32, 64, 128, got 16/);
    expect(() => mx.quantize(w, 64, 7)).toThrow(/bits must be one of 2, 3, 4, 5, 6, 8, got 7/);
    expect(() => mx.quantize(mx.ones([64]))).toThrow(/at least 2 dimensions/);
    expect(() => mx.quantize(mx.ones([2, 48]), 32)).toThrow(/multiple of groupSize 32/);
    expect(() => mx.quantize(mx.ones([2, 64], mx.int32))).toThrow(/only floating arrays/);
    expect(() => mx.quantize(w, { mode: 'mxfp4' })).toThrow(/not implemented yet: quantization mode 'mxfp4'/);
    const [wq, s, b] = mx.quantize(w);
    expect(() => mx.dequantize(mx.astype(wq, mx.int32), s, b)).toThrow(/dequantize: the packed matrix must be uint32/);
    expect(() => mx.dequantize(wq, s, null)).toThrow(/biases must be given/);
    expect(() => mx.dequantize(wq, s, b, 32)).toThrow(/do not match the packed matrix/);
  });
});

describe('quantizedMatmul', () => {
  it('equals dequantize + matmul for every width and group size, both orientations, batched x', () => {
    for (const bits of allBits) {
      for (const gs of allGroups) {
        const w = mx.random.normal([64, 256], { key: mx.random.key(bits * 1000 + gs) });
        const [wq, s, b] = mx.quantize(w, gs, bits);
        const dense = mx.dequantize(wq, s, b, gs, bits);
        const x = mx.random.normal([2, 3, 256], { key: mx.random.key(5) });
        assertAllClose(mx.quantizedMatmul(x, wq, s, b, true, gs, bits), mx.matmul(x, mx.transpose(dense)), { rtol: 1e-4, atol: 1e-4 });
        const x2 = mx.random.normal([5, 64], { key: mx.random.key(6) });
        assertAllClose(mx.quantizedMatmul(x2, wq, s, b, { transpose: false, groupSize: gs, bits }), mx.matmul(x2, dense), { rtol: 1e-4, atol: 1e-4 });
      }
    }
  });

  it('takes a 1-D x, promotes with the scales, and differentiates x, scales and biases but not the codes', () => {
    const [wq, s, b] = mx.quantize(mx.random.normal([8, 64], { key: mx.random.key(9) }));
    const x = mx.random.normal([64], { key: mx.random.key(10) });
    expect(mx.quantizedMatmul(x, wq, s, b).shape).toEqual([8]);
    expect(mx.quantizedMatmul(mx.astype(x, mx.float16), wq, s, b).dtype).toBe(mx.float32);
    const loss = (xx: mx.Array, ss: mx.Array, bb: mx.Array) => mx.sum(mx.square(mx.quantizedMatmul(xx, wq, ss, bb)));
    const dense = (xx: mx.Array, ss: mx.Array, bb: mx.Array) => mx.sum(mx.square(mx.matmul(xx, mx.transpose(mx.dequantize(wq, ss, bb)))));
    const got = mx.grad(loss, [0, 1, 2])(x, s, b);
    const want = mx.grad(dense, [0, 1, 2])(x, s, b);
    got.forEach((g, i) => assertAllClose(g, want[i]!, { rtol: 1e-4, atol: 1e-3 }));
    expect(() => mx.vjp((w: mx.Array) => mx.quantizedMatmul(x, w, s, b), [mx.astype(wq, mx.float32)], [mx.ones([8])])).toThrow();
  });

  it('checks its arguments before building anything', () => {
    const [wq, s, b] = mx.quantize(mx.ones([8, 64]));
    expect(() => mx.quantizedMatmul(mx.ones([2, 32]), wq, s, b)).toThrow(/the last axis of x \(shape \[2,32\]\) must be 64/);
    expect(() => mx.quantizedMatmul(mx.ones([2, 64]), wq, s, b, true, 64, 3)).toThrow(/do not match the packed matrix/);
    expect(() => mx.quantizedMatmul(mx.ones([2, 64], mx.int32), wq, mx.astype(s, mx.int32), mx.astype(b, mx.int32))).toThrow(/must be floating/);
    expect(() => mx.quantizedMatmul(mx.ones([2, 64]), mx.stack([wq, wq]), mx.stack([s, s]), mx.stack([b, b]))).toThrow(
      /not implemented yet: a batched packed matrix/,
    );
    expect(() => mx.quantizedMatmul(mx.ones([2, 64]), wq, s, b, 'yes' as never)).toThrow(/expected transpose to be a boolean/);
  });
});
