import { describe, expect, test } from 'vitest';
import * as mx from 'mlx-ts';
import { checkJvp, checkVjp } from '@mlx-ts/testing';
import { arr, expectClose, fixture, type Tensor } from './helpers.js';

const nn = mx.nn;
interface Case {
  kind: string;
  normFirst?: boolean;
  mask?: boolean;
  params: Record<string, Tensor>;
  out: Tensor;
}
const fx = fixture<{ inputs: Record<string, Tensor>; cases: Case[] }>('transformer');
const inp = (k: string, dtype: mx.DtypeLike = mx.float64) => arr(fx.inputs[k]!, dtype);

/** Loads a fixture's weights (float64, MLX names) into the model. */
function load<M extends mx.nn.Module>(m: M, c: Case): M {
  m.update(nn.utils.treeUnflatten(Object.entries(c.params).map(([k, t]) => [k, arr(t, mx.float64)] as const)));
  return m;
}
const byKind = (kind: string) => fx.cases.filter((c) => c.kind === kind);
/** The fixture's mask (1 where hidden) as an additive mask. */
const additive = (k: string) => mx.where(inp(k), -Infinity, 0);

describe('MultiHeadAttention', () => {
  test('projections: MLX names and shapes, no bias by default', () => {
    const m = new nn.MultiHeadAttention(8, 2, { keyInputDims: 5, valueDims: 6, valueOutputDims: 3 });
    const shapes = Object.fromEntries(nn.utils.treeFlatten<mx.Array>(m.parameters()).map(([k, v]) => [k, v.shape]));
    expect(shapes).toEqual({ 'queryProj.weight': [8, 8], 'keyProj.weight': [8, 5], 'valueProj.weight': [6, 5], 'outProj.weight': [3, 6] });
    expect(Object.keys(nn.utils.treeFlatten(new nn.MultiHeadAttention(4, 2, null, null, null, null, null, true).parameters())).length).toBe(8);
    const y = m.forward(mx.ones([2, 3, 8]), mx.ones([2, 4, 5]), mx.ones([2, 4, 5]));
    expect(y.shape).toEqual([2, 3, 3]);
  });

  const [plain, masked] = byKind('mha');
  test('matches PyTorch (cross-attention)', () => {
    const m = load(new nn.MultiHeadAttention(8, 2), plain!);
    expectClose(m.forward(inp('x'), inp('mem'), inp('mem')), plain!.out, { rtol: 1e-9, atol: 1e-9 });
  });
  test('matches PyTorch with an additive causal mask; createAdditiveCausalMask', () => {
    const m = load(new nn.MultiHeadAttention(8, 2), masked!);
    const mask = nn.MultiHeadAttention.createAdditiveCausalMask(5, mx.float64);
    expect(mx.less(mask, -1e300).tolist()).toEqual(mx.astype(inp('causal'), mx.bool).tolist());
    expectClose(m.forward(inp('x'), inp('x'), inp('x'), mask), masked!.out, { rtol: 1e-9, atol: 1e-9 });
    // A boolean mask (true where attended) gives the same result.
    expectClose(m.forward(inp('x'), inp('x'), inp('x'), 'causal'), masked!.out, { rtol: 1e-9, atol: 1e-9 });
    const keep = mx.logicalNot(mx.astype(inp('causal'), mx.bool));
    expectClose(m.forward(inp('x'), inp('x'), inp('x'), keep), masked!.out, { rtol: 1e-9, atol: 1e-9 });
    const lowest = -3.4028234663852886e38; // float32's lowest finite value (MLX's finfo(float32).min)
    expect(
      mx
        .arrayEqual(nn.MultiHeadAttention.createAdditiveCausalMask(3), [
          [0, lowest, lowest],
          [0, 0, lowest],
          [0, 0, 0],
        ])
        .itemBool(),
    ).toBe(true);
  });
  test("'causal' aligns the last query with the last key when there are more keys", () => {
    const m = new nn.MultiHeadAttention(8, 2);
    const q = mx.random.normal([1, 2, 8], mx.float32, null, null, mx.random.key(2));
    const kv = mx.random.normal([1, 4, 8], mx.float32, null, null, mx.random.key(3));
    // Queries 0 and 1 see keys 0..2 and 0..3.
    const hidden = mx.array([
      [0, 0, 0, -Infinity],
      [0, 0, 0, 0],
    ]);
    const want = m.forward(q, kv, kv, hidden);
    expectClose(m.forward(q, kv, kv, 'causal'), { shape: [1, 2, 8], data: want.reshape([-1]).tolist() as number[] });
  });
  test('matches PyTorch with other key and value input dims', () => {
    const c = byKind('mhaKv')[0]!;
    const m = load(new nn.MultiHeadAttention(8, 2, 8, 5, 5), c);
    expectClose(m.forward(inp('x'), inp('kv'), inp('kv')), c.out, { rtol: 1e-9, atol: 1e-9 });
  });
  test('JVP and VJP in queries, keys and values', () => {
    const m = load(new nn.MultiHeadAttention(8, 2), plain!);
    const f = (q: mx.Array, k: mx.Array, v: mx.Array) => m.forward(q, k, v);
    checkJvp(f, [inp('x'), inp('mem'), inp('mem')]);
    checkVjp(f, [inp('x'), inp('mem'), inp('mem')]);
  });
  test('bad input throws naming the layer', () => {
    expect(() => new nn.MultiHeadAttention(6, 4)).toThrow(/MultiHeadAttention: expected dims to be divisible by numHeads, got dims 6 and numHeads 4/);
    const m = new nn.MultiHeadAttention(8, 2);
    expect(() => m.forward(mx.ones([3, 8]), mx.ones([3, 8]), mx.ones([3, 8]))).toThrow(
      /MultiHeadAttention: expected queries of shape \[batch, length, features\], got shape \[3,8\]/,
    );
    expect(() => m.forward(mx.ones([1, 3, 8]), mx.ones([1, 4, 8]), mx.ones([1, 5, 8]))).toThrow(/MultiHeadAttention: expected keys and values of one length/);
    expect(() => m.forward(mx.ones([1, 3, 7]), mx.ones([1, 4, 8]), mx.ones([1, 4, 8]))).toThrow(/Linear: expected x with last dimension 8/);
  });
});

describe('transformer layers against PyTorch', () => {
  test.each(byKind('encoderLayer').map((c) => [c.normFirst, c] as const))('TransformerEncoderLayer normFirst=%s', (normFirst, c) => {
    const m = load(new nn.TransformerEncoderLayer(8, 2, 16, { normFirst }), c);
    expectClose(m.forward(inp('x'), additive('causal')), c.out, { rtol: 1e-9, atol: 1e-9 });
  });
  test.each(byKind('decoderLayer').map((c) => [c.normFirst, c] as const))('TransformerDecoderLayer normFirst=%s', (normFirst, c) => {
    const m = load(new nn.TransformerDecoderLayer(8, 2, 16, 0, nn.relu, normFirst), c);
    expectClose(m.forward(inp('x'), inp('mem'), additive('causal'), additive('memMask')), c.out, { rtol: 1e-9, atol: 1e-9 });
  });
  const full = byKind('transformer')[0]!;
  test('Transformer (2 + 2 layers, final LayerNorms)', () => {
    const m = load(new nn.Transformer({ dims: 8, numHeads: 2, numEncoderLayers: 2, numDecoderLayers: 2, mlpDims: 16 }), full);
    expectClose(m.forward(inp('mem'), inp('x'), null, additive('causal'), null), full.out, { rtol: 1e-9, atol: 1e-9 });
  });
  test('checkpoint gives the same values and gradients', () => {
    const plainModel = load(new nn.Transformer(8, 2, 2, 2, 16), full);
    const ckpt = load(new nn.Transformer({ dims: 8, numHeads: 2, numEncoderLayers: 2, numDecoderLayers: 2, mlpDims: 16, checkpoint: true }), full);
    const loss = (m: mx.nn.Transformer) => () => mx.sum(mx.square(m.forward(inp('mem'), inp('x'), null, additive('causal'), null)));
    const [v1, g1] = nn.valueAndGrad(plainModel, loss(plainModel))();
    const [v2, g2] = nn.valueAndGrad(ckpt, loss(ckpt))();
    expectClose(v2, { shape: [], data: [v1.item()] }, { rtol: 1e-12 });
    const f1 = nn.utils.treeFlatten<mx.Array>(g1);
    const f2 = new Map(nn.utils.treeFlatten<mx.Array>(g2));
    expect(f1.length).toBe(f2.size);
    for (const [k, g] of f1) expectClose(f2.get(k)!, { shape: [...g.shape], data: g.reshape([-1]).tolist() as number[] }, { rtol: 1e-9, atol: 1e-12, what: k });
  });
  test('JVP and VJP through an encoder layer (post-norm, GELU Module activation)', () => {
    const c = byKind('encoderLayer').find((e) => !e.normFirst)!;
    const m = load(new nn.TransformerEncoderLayer(8, 2, { mlpDims: 16, normFirst: false, activation: new nn.GELU() }), c);
    checkJvp((a: mx.Array) => m.forward(a, additive('causal')), [inp('x')]);
    checkVjp((a: mx.Array) => m.forward(a, additive('causal')), [inp('x')]);
  });
  test('defaults: mlpDims = 4 dims, encoder and decoder of 6 layers', () => {
    const l = new nn.TransformerEncoderLayer(8, 2);
    expect(l.linear1.weight.shape).toEqual([32, 8]);
    const t = new nn.Transformer(8, 2);
    expect((t.encoder as mx.nn.TransformerEncoder).layers.length).toBe(6);
    expect((t.decoder as mx.nn.TransformerDecoder).layers.length).toBe(6);
    expect(new nn.Transformer(8, 2, 1, 1).forward(mx.ones([1, 3, 8]), mx.ones([1, 2, 8])).shape).toEqual([1, 2, 8]);
  });
  test('custom encoder and decoder Modules are kept, even without parameters', () => {
    const t = new nn.Transformer({ dims: 8, numHeads: 2, customEncoder: new nn.Identity(), customDecoder: new nn.Identity() });
    expect(t.encoder).toBeInstanceOf(nn.Identity);
    expect(t.decoder).toBeInstanceOf(nn.Identity);
    const tgt = mx.ones([1, 2, 8]);
    expect(t.forward(mx.zeros([1, 3, 8]), tgt)).toBe(tgt);
  });
  test('causal masks in 16-bit floats have no NaN', () => {
    for (const dt of [mx.float16, mx.bfloat16]) {
      const m = nn.MultiHeadAttention.createAdditiveCausalMask(4, dt);
      expect(m.dtype).toBe(dt);
      expect(mx.any(mx.isnan(m)).itemBool()).toBe(false);
      expect(mx.index(m, 0, -1).item()).toBeLessThan(0);
    }
  });
  test('bad arguments throw naming the layer', () => {
    expect(() => new nn.TransformerEncoder(0, 8, 2)).toThrow(/TransformerEncoder: numLayers must be a positive integer, got a number \(0\)/);
    expect(() => new nn.TransformerEncoderLayer(8, 2, { activation: 3 as never })).toThrow(
      /TransformerEncoderLayer: expected activation to be a function or a Module, got a number \(3\)/,
    );
    expect(() => new nn.Transformer({ customEncoder: {} as never })).toThrow(/Transformer: expected customEncoder to be an nn.Module/);
  });
});
