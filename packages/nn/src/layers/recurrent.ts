/**
 * MLX's recurrent layers (mlx.nn.layers.recurrent): RNN, GRU and LSTM over [B, L, D] (batch first) or
 * unbatched [L, D] inputs, with MLX's parameter names and shapes. PyTorch keeps two biases (b_ih,
 * b_hh) where MLX keeps their sum; GRU's `bhn` is PyTorch's b_hh of the n gate, which sits inside
 * r * (Wh h + bhn).
 */
import { add, addmm, Array, describeValue, fmtShape, matmul, multiply, random, sigmoid, split, squeeze, stack, subtract, tanh, transpose } from '@mlx-ts/core';
import { Module } from '../module.js';
import { checkBool, checkPositiveInt, type OptionalArgs, readOptions } from '../options.js';
import { checkInput } from './checks.js';

/** The input projected by `w` (plus `b`) at once, then split into the L time steps ([..., H'] each). */
function projectSteps(x: Array, w: Array, b: Array | undefined): Array[] {
  const xw = b === undefined ? matmul(x, transpose(w)) : addmm(b, x, transpose(w));
  return split(xw, x.shape[x.ndim - 2]!, -2).map((s) => squeeze(s, -2));
}

/** Checks an input of shape [B, L, inputSize] or [L, inputSize] and an optional state of shape [B, H] or [H]. */
function checkSequence(layer: string, x: Array, inputSize: number, hiddenSize: number, states: [string, Array | null | undefined][]): void {
  checkInput(layer, x);
  if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[x.ndim - 1] !== inputSize) {
    throw new Error(`${layer}: expected x of shape [batch, length, ${inputSize}] or [length, ${inputSize}], got ${fmtShape(x.shape)}`);
  }
  const want = x.ndim === 3 ? [x.shape[0]!, hiddenSize] : [hiddenSize];
  for (const [what, s] of states) {
    if (s == null) continue;
    checkInput(layer, s, what);
    if (s.ndim !== want.length || s.shape.some((d, i) => d !== want[i])) {
      throw new Error(`${layer}: expected ${what} of shape ${fmtShape(want)} for x of shape ${fmtShape(x.shape)}, got ${fmtShape(s.shape)}`);
    }
  }
}

const uniform = (scale: number, shape: number[]) => random.uniform(-scale, scale, shape);

export interface RNNOptions {
  bias?: boolean;
  /** The activation of the hidden state; default (and with null) `tanh`. */
  nonlinearity?: ((x: Array) => Array) | null;
}

/**
 * An Elman RNN: `h_{t+1} = nonlinearity(Wxh x_t + Whh h_t + bias)` (tanh by default).
 * `new RNN(inputSize, hiddenSize, bias = true, nonlinearity = tanh)`; parameters `Wxh` [H, D], `Whh`
 * [H, H], `bias` [H], uniform in ±1/sqrt(H). `forward(x, hidden?)` returns every hidden state, [B, L, H] or [L, H].
 */
export class RNN extends Module {
  readonly hiddenSize: number;
  Wxh: Array;
  Whh: Array;
  bias?: Array;
  /** The activation the constructor was given (not a parameter: its name starts with `_`). */
  _nonlinearity: (x: Array) => Array;

  constructor(inputSize: number, hiddenSize: number, ...rest: OptionalArgs<[bias: boolean, nonlinearity: ((x: Array) => Array) | null], RNNOptions>) {
    super();
    const fn = 'RNN';
    const o = readOptions(fn, rest, ['bias', 'nonlinearity']);
    checkPositiveInt(fn, 'inputSize', inputSize);
    this.hiddenSize = checkPositiveInt(fn, 'hiddenSize', hiddenSize);
    const nl = o.nonlinearity ?? tanh;
    if (typeof nl !== 'function') throw new Error(`${fn}: expected nonlinearity to be a function, got ${describeValue(nl)}`);
    this._nonlinearity = nl;
    const scale = 1 / Math.sqrt(hiddenSize);
    this.Wxh = uniform(scale, [hiddenSize, inputSize]);
    this.Whh = uniform(scale, [hiddenSize, hiddenSize]);
    if (checkBool(fn, 'bias', o.bias ?? true)) this.bias = uniform(scale, [hiddenSize]);
  }

  protected override extraRepr(): string {
    return `inputDims=${this.Wxh.shape[1]}, hiddenSize=${this.hiddenSize}, bias=${this.bias !== undefined}`;
  }

  override forward(x: Array, hidden?: Array | null): Array {
    checkSequence('RNN', x, this.Wxh.shape[1]!, this.hiddenSize, [['hidden', hidden]]);
    const whhT = transpose(this.Whh);
    let h = hidden ?? null;
    const all: Array[] = [];
    for (const xt of projectSteps(x, this.Wxh, this.bias)) {
      h = this._nonlinearity(h === null ? xt : addmm(xt, h, whhT));
      all.push(h);
    }
    return stack(all, -2);
  }
}

/**
 * A GRU: r, z = sigmoid(Wx_{r,z} x + Wh_{r,z} h + b_{r,z}); n = tanh(Wx_n x + b_n + r * (Wh_n h + bhn));
 * h' = (1 - z) n + z h. `new GRU(inputSize, hiddenSize, bias = true)`; parameters `Wx` [3H, D], `Wh`
 * [3H, H], `b` [3H], `bhn` [H] (gates in the order r, z, n, as PyTorch). `forward(x, hidden?)`.
 */
export class GRU extends Module {
  readonly hiddenSize: number;
  Wx: Array;
  Wh: Array;
  b?: Array;
  bhn?: Array;

  constructor(inputSize: number, hiddenSize: number, ...rest: OptionalArgs<[bias: boolean], { bias?: boolean }>) {
    super();
    const fn = 'GRU';
    const o = readOptions(fn, rest, ['bias']);
    checkPositiveInt(fn, 'inputSize', inputSize);
    this.hiddenSize = checkPositiveInt(fn, 'hiddenSize', hiddenSize);
    const scale = 1 / Math.sqrt(hiddenSize);
    this.Wx = uniform(scale, [3 * hiddenSize, inputSize]);
    this.Wh = uniform(scale, [3 * hiddenSize, hiddenSize]);
    if (checkBool(fn, 'bias', o.bias ?? true)) {
      this.b = uniform(scale, [3 * hiddenSize]);
      this.bhn = uniform(scale, [hiddenSize]);
    }
  }

  protected override extraRepr(): string {
    return `inputDims=${this.Wx.shape[1]}, hiddenSize=${this.hiddenSize}, bias=${this.b !== undefined}`;
  }

  override forward(x: Array, hidden?: Array | null): Array {
    checkSequence('GRU', x, this.Wx.shape[1]!, this.hiddenSize, [['hidden', hidden]]);
    const hs = this.hiddenSize;
    const whT = transpose(this.Wh);
    let h = hidden ?? null;
    const all: Array[] = [];
    for (const xt of projectSteps(x, this.Wx, this.b)) {
      let [rz, n] = split(xt, [2 * hs], -1) as [Array, Array];
      let hn: Array | null = null;
      if (h !== null) {
        const [hrz, hProjN] = split(matmul(h, whT), [2 * hs], -1) as [Array, Array];
        rz = add(rz, hrz);
        hn = this.bhn === undefined ? hProjN : add(hProjN, this.bhn);
      } else if (this.bhn !== undefined) hn = this.bhn;
      const [r, z] = split(sigmoid(rz), 2, -1) as [Array, Array];
      if (hn !== null) n = add(n, multiply(r, hn));
      n = tanh(n);
      const keep = subtract(1, z);
      h = h === null ? multiply(keep, n) : add(multiply(keep, n), multiply(z, h));
      all.push(h);
    }
    return stack(all, -2);
  }
}

/**
 * An LSTM: i, f, o = sigmoid(.), g = tanh(.) of Wx x + Wh h + bias (gates in the order i, f, g, o, as
 * PyTorch); c' = f c + i g; h' = o tanh(c'). `new LSTM(inputSize, hiddenSize, bias = true)`; parameters
 * `Wx` [4H, D], `Wh` [4H, H], `bias` [4H]. `forward(x, hidden?, cell?)` returns `[hidden states, cell
 * states]`, each [B, L, H] or [L, H].
 */
export class LSTM extends Module {
  readonly hiddenSize: number;
  Wx: Array;
  Wh: Array;
  bias?: Array;

  constructor(inputSize: number, hiddenSize: number, ...rest: OptionalArgs<[bias: boolean], { bias?: boolean }>) {
    super();
    const fn = 'LSTM';
    const o = readOptions(fn, rest, ['bias']);
    checkPositiveInt(fn, 'inputSize', inputSize);
    this.hiddenSize = checkPositiveInt(fn, 'hiddenSize', hiddenSize);
    const scale = 1 / Math.sqrt(hiddenSize);
    this.Wx = uniform(scale, [4 * hiddenSize, inputSize]);
    this.Wh = uniform(scale, [4 * hiddenSize, hiddenSize]);
    if (checkBool(fn, 'bias', o.bias ?? true)) this.bias = uniform(scale, [4 * hiddenSize]);
  }

  protected override extraRepr(): string {
    return `inputDims=${this.Wx.shape[1]}, hiddenSize=${this.hiddenSize}, bias=${this.bias !== undefined}`;
  }

  override forward(x: Array, hidden?: Array | null, cell?: Array | null): [Array, Array] {
    checkSequence('LSTM', x, this.Wx.shape[1]!, this.hiddenSize, [
      ['hidden', hidden],
      ['cell', cell],
    ]);
    const whT = transpose(this.Wh);
    let h = hidden ?? null;
    let c = cell ?? null;
    const hs: Array[] = [];
    const cs: Array[] = [];
    for (const xt of projectSteps(x, this.Wx, this.bias)) {
      const ifgo = h === null ? xt : addmm(xt, h, whT);
      const [i, f, g, o] = split(ifgo, 4, -1) as [Array, Array, Array, Array];
      const ig = multiply(sigmoid(i), tanh(g));
      c = c === null ? ig : add(multiply(sigmoid(f), c), ig);
      h = multiply(sigmoid(o), tanh(c));
      hs.push(h);
      cs.push(c);
    }
    return [stack(hs, -2), stack(cs, -2)];
  }
}
