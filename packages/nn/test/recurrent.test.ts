import { describe, expect, test } from 'vitest';
import * as mx from 'mlx-ts';
import { checkJvp, checkVjp } from '@mlx-ts/testing';
import { arr, expectClose, fixture, type Tensor } from './helpers.js';

const nn = mx.nn;
interface Case {
  layer: 'RNN' | 'GRU' | 'LSTM';
  params: Record<string, Tensor>;
  batched: boolean;
  hidden: boolean;
  out: Tensor;
  cell?: Tensor;
}
const fx = fixture<{ inputs: Record<string, Tensor>; cases: Case[] }>('recurrent');
const D = 3;
const H = 4;

function model(c: Case): mx.nn.RNN | mx.nn.GRU | mx.nn.LSTM {
  const m = c.layer === 'RNN' ? new nn.RNN(D, H) : c.layer === 'GRU' ? new nn.GRU(D, H) : new nn.LSTM(D, H);
  m.update(Object.fromEntries(Object.entries(c.params).map(([k, t]) => [k, arr(t, mx.float64)])));
  return m;
}
/** The fixture's inputs for a case: x, and the initial state (the first sequence only when unbatched). */
function inputs(c: Case): { x: mx.Array; h?: mx.Array; cell?: mx.Array } {
  const pick = (k: string) => (c.batched ? arr(fx.inputs[k]!, mx.float64) : mx.index(arr(fx.inputs[k]!, mx.float64), 0));
  return { x: pick('x'), h: c.hidden ? pick('h0') : undefined, cell: c.hidden ? pick('c0') : undefined };
}
const label = (c: Case) => `${c.layer}, ${c.batched ? 'batched [B, L, D]' : 'unbatched [L, D]'}, ${c.hidden ? 'initial state given' : 'no initial state'}`;

describe('recurrent layers against PyTorch', () => {
  test.each(fx.cases.map((c) => [label(c), c] as const))('%s', (_l, c) => {
    const m = model(c);
    const { x, h, cell } = inputs(c);
    if (m instanceof nn.LSTM) {
      const [hs, cs] = m.forward(x, h, cell);
      expectClose(hs, c.out, { rtol: 1e-9, atol: 1e-9 });
      expectClose(cs, c.cell!, { rtol: 1e-9, atol: 1e-9 });
    } else {
      expectClose(m.forward(x, h), c.out, { rtol: 1e-9, atol: 1e-9 });
    }
  });

  test.each(fx.cases.filter((c) => c.batched && c.hidden).map((c) => [c.layer, c] as const))('%s: JVP and VJP in the input and the state', (_l, c) => {
    const m = model(c);
    const { x, h, cell } = inputs(c);
    const f =
      m instanceof nn.LSTM ? (a: mx.Array, s: mx.Array, t: mx.Array) => m.forward(a, s, t) : (a: mx.Array, s: mx.Array) => (m as mx.nn.RNN).forward(a, s);
    const args = m instanceof nn.LSTM ? [x, h!, cell!] : [x, h!];
    checkJvp(f, args);
    checkVjp(f, args);
  });
});

describe('recurrent layers', () => {
  test("MLX's parameter names and shapes", () => {
    const shapes = (m: mx.nn.Module) => Object.fromEntries(nn.utils.treeFlatten<mx.Array>(m.parameters()).map(([k, v]) => [k, v.shape]));
    expect(shapes(new nn.RNN(3, 5))).toEqual({ Wxh: [5, 3], Whh: [5, 5], bias: [5] });
    expect(shapes(new nn.GRU(3, 5))).toEqual({ Wx: [15, 3], Wh: [15, 5], b: [15], bhn: [5] });
    expect(shapes(new nn.LSTM(3, 5))).toEqual({ Wx: [20, 3], Wh: [20, 5], bias: [20] });
    expect(shapes(new nn.RNN(3, 5, false))).toEqual({ Wxh: [5, 3], Whh: [5, 5] });
    expect(shapes(new nn.GRU(3, 5, { bias: false }))).toEqual({ Wx: [15, 3], Wh: [15, 5] });
    expect(shapes(new nn.LSTM(3, 5, false))).toEqual({ Wx: [20, 3], Wh: [20, 5] });
    const w = new nn.LSTM(3, 4).Wx;
    expect(mx.max(mx.abs(w)).item()).toBeLessThanOrEqual(0.5); // uniform in +-1/sqrt(hiddenSize)
  });

  test('output shapes without bias, and a custom nonlinearity', () => {
    const x = mx.ones([2, 6, 3]);
    expect(new nn.RNN(3, 4, { bias: false }).forward(x).shape).toEqual([2, 6, 4]);
    expect(new nn.GRU(3, 4, false).forward(mx.ones([6, 3])).shape).toEqual([6, 4]);
    const [hs, cs] = new nn.LSTM(3, 4, false).forward(x);
    expect([hs.shape, cs.shape]).toEqual([
      [2, 6, 4],
      [2, 6, 4],
    ]);
    const r = new nn.RNN(3, 4, true, nn.relu);
    expect(mx.min(r.forward(x)).item()).toBeGreaterThanOrEqual(0);
  });

  test('bad input throws naming the layer', () => {
    expect(() => new nn.RNN(3, 4).forward(mx.ones([2, 6, 5]))).toThrow(/RNN: expected x of shape \[batch, length, 3\] or \[length, 3\], got \[2,6,5\]/);
    expect(() => new nn.GRU(3, 4).forward(mx.ones([2, 6, 3]), mx.ones([4]))).toThrow(
      /GRU: expected hidden of shape \[2,4\] for x of shape \[2,6,3\], got \[4\]/,
    );
    expect(() => new nn.LSTM(3, 4).forward(mx.ones([6, 3]), null, mx.ones([2, 4]))).toThrow(
      /LSTM: expected cell of shape \[4\] for x of shape \[6,3\], got \[2,4\]/,
    );
    expect(() => new nn.RNN(3, 0)).toThrow(/RNN: hiddenSize must be a positive integer, got a number \(0\)/);
    expect(() => new nn.RNN(3, 4, true, 'relu' as never)).toThrow(/RNN: expected nonlinearity to be a function, got a string \('relu'\)/);
  });
});
