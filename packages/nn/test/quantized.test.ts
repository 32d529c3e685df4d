/** layers/quantized.ts: QuantizedLinear, QuantizedEmbedding and nn.quantize, against their dense forms. */
import { describe, expect, it } from 'vitest';
import * as mx from 'mlx-ts';
import { nn } from 'mlx-ts';
import { assertAllClose } from '@mlx-ts/testing';

describe('quantized layers', () => {
  it('QuantizedLinear.fromLinear computes the dequantized Linear, frozen but for the bias', () => {
    const lin = new nn.Linear(128, 16);
    const q = nn.QuantizedLinear.fromLinear(lin, 32, 8);
    const x = mx.random.normal([3, 128], { key: mx.random.key(11) });
    const w = mx.dequantize(q.weight, q.scales, q.biases, 32, 8);
    assertAllClose(q.forward(x), mx.add(mx.matmul(x, mx.transpose(w)), lin.bias!), { rtol: 1e-4, atol: 1e-4 });
    assertAllClose(q.forward(x), lin.forward(x), { rtol: 5e-2, atol: 5e-2 });
    expect(Object.keys(q.parameters()).sort()).toEqual(['bias', 'biases', 'scales', 'weight']);
    expect(Object.keys(q.trainableParameters())).toEqual(['bias']);
    expect(Object.keys(new nn.QuantizedLinear(64, 8).trainableParameters())).toEqual([]);
  });

  it('QuantizedEmbedding looks rows up dequantized and asLinear multiplies by the table', () => {
    const e = new nn.Embedding(10, 64);
    const q = e.toQuantized(64, 6) as nn.QuantizedEmbedding;
    const idx = mx.array([3, 0, 9], mx.int32);
    const table = mx.dequantize(q.weight, q.scales, q.biases, 64, 6);
    assertAllClose(q.forward(idx), mx.take(table, idx, 0), { rtol: 0, atol: 0 });
    const x = mx.random.normal([2, 64], { key: mx.random.key(12) });
    assertAllClose(q.asLinear(x), mx.matmul(x, mx.transpose(table)), { rtol: 1e-4, atol: 1e-4 });
  });

  it('nn.quantize replaces Linear and Embedding leaves in place, as the predicate says', () => {
    const model = new nn.Sequential(new nn.Embedding(8, 64), new nn.Linear(64, 64), new nn.ReLU(), new nn.Linear(64, 32));
    nn.quantize(model, null, null, (path, m) => path !== 'layers.3' && 'toQuantized' in m);
    const [emb, l1, relu, l3] = model.layers;
    expect(emb).toBeInstanceOf(nn.QuantizedEmbedding);
    expect(l1).toBeInstanceOf(nn.QuantizedLinear);
    expect((l1 as nn.QuantizedLinear).bits).toBe(4);
    expect(relu).toBeInstanceOf(nn.ReLU);
    expect(l3).toBeInstanceOf(nn.Linear);
    expect(model.forward(mx.array([1, 2], mx.int32)).shape).toEqual([2, 32]);
    nn.quantize(model, 32, 8, (_p, m) => (m instanceof nn.Linear ? { bits: 2 } : false));
    expect((model.layers[3] as nn.QuantizedLinear).bits).toBe(2);
    expect((model.layers[3] as nn.QuantizedLinear).groupSize).toBe(32);
    expect(() => nn.quantize(model, null, null, (p) => p === 'layers.2')).toThrow(/cannot quantize layers.2/);
  });
});
