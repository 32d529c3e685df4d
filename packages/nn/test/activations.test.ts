import { describe, expect, test } from 'vitest';
import * as mx from 'mlx-ts';
import { checkJvp, checkVjp } from '@mlx-ts/testing';
import { arr, expectClose, fixture, type Tensor } from './helpers.js';

const nn = mx.nn;
const fx = fixture<{ x: Tensor; alpha: number[]; cases: Record<string, Tensor> }>('activations');
const x = arr(fx.x);
const x64 = arr(fx.x, mx.float64);

/** Each case: the fixture key, and the function under test. */
const fns: [string, (a: mx.Array) => mx.Array][] = [
  ['relu', nn.relu],
  ['relu2', nn.relu2],
  ['relu6', nn.relu6],
  ['leakyRelu', (a) => nn.leakyRelu(a)],
  ['leakyRelu_0.2', (a) => nn.leakyRelu(a, 0.2)],
  ['elu', (a) => nn.elu(a)],
  ['elu_0.5', (a) => nn.elu(a, { alpha: 0.5 })],
  ['celu', (a) => nn.celu(a)],
  ['celu_1.5', (a) => nn.celu(a, 1.5)],
  ['gelu', nn.gelu],
  ['geluApprox', nn.geluApprox],
  ['geluFastApprox', nn.geluFastApprox],
  ['silu', nn.silu],
  ['sigmoid', nn.sigmoid],
  ['logSigmoid', nn.logSigmoid],
  ['softplus', nn.softplus],
  ['softsign', nn.softsign],
  ['softshrink', (a) => nn.softshrink(a)],
  ['softshrink_1', (a) => nn.softshrink(a, 1)],
  ['hardShrink', (a) => nn.hardShrink(a)],
  ['hardShrink_1', (a) => nn.hardShrink(a, { lambd: 1 })],
  ['softmin', (a) => nn.softmin(a)],
  ['softmin_0', (a) => nn.softmin(a, 0)],
  ['softmax', (a) => nn.softmax(a)],
  ['softmax_0', (a) => nn.softmax(a, { axis: 0 })],
  ['logSoftmax', (a) => nn.logSoftmax(a)],
  ['logSoftmax_0', (a) => nn.logSoftmax(a, 0)],
  ['mish', nn.mish],
  ['hardswish', nn.hardswish],
  ['hardTanh', (a) => nn.hardTanh(a)],
  ['hardTanh_-2_3', (a) => nn.hardTanh(a, -2, 3)],
  ['tanh', nn.tanh],
  ['glu', (a) => nn.glu(a)],
  ['glu_0', (a) => nn.glu(a, 0)],
  ['prelu', (a) => nn.prelu(a, mx.array(fx.alpha))],
  ['prelu_scalar', (a) => nn.prelu(a, mx.array([0.25]))],
  ['step', (a) => nn.step(a)],
  ['step_1', (a) => nn.step(a, 1)],
];

describe('activation functions', () => {
  test.each(fns)('%s matches PyTorch', (name, f) => {
    const y = f(x);
    expect(y.shape).toEqual(fx.cases[name]!.shape);
    expect(y.dtype).toBe(name.startsWith('step') ? mx.int32 : mx.float32);
    expectClose(y, fx.cases[name]!, { what: name });
  });

  test('selu uses MLX constants (lambda 1.0507, alpha 1.67326), within 1e-5 of PyTorch', () => {
    expectClose(nn.selu(x), fx.cases.selu!, { atol: 2e-5, rtol: 2e-5 });
    expectClose(nn.selu(mx.array([-1, 2])), { shape: [2], data: [1.0507 * 1.67326 * (Math.exp(-1) - 1), 2 * 1.0507] }, { rtol: 1e-6 });
  });

  test.each([...fns.filter(([n]) => !n.startsWith('step')), ['selu', nn.selu] as [string, (a: mx.Array) => mx.Array]])(
    '%s: JVP against finite differences, VJP against JVP',
    (_name, f) => {
      checkJvp(f, [x64]);
      checkVjp(f, [x64]);
    },
  );

  test('prelu differentiates in its weight too', () => {
    const alpha = mx.array(fx.alpha, mx.float64);
    checkJvp(nn.prelu, [x64, alpha]);
    checkVjp(nn.prelu, [x64, alpha]);
  });

  test('log-softmax keeps the gaps of large logits', () => {
    const y = nn.logSoftmax(mx.array([1e8, 1e8 + 64, 0]));
    expectClose(y, { shape: [3], data: [-64, 0, -(1e8 + 64)] }, { rtol: 1e-6 });
  });

  test('bad arguments throw naming the function', () => {
    expect(() => nn.glu(mx.ones([2, 3]))).toThrow(/glu: expected axis -1 to have an even size, got 3/);
    expect(() => nn.glu(mx.ones([2, 4]), 2)).toThrow(/glu: axis 2 is out of range/);
    expect(() => nn.leakyRelu(x, { slope: 1 } as never)).toThrow(/leakyRelu: unknown option 'slope'/);
    expect(() => nn.elu(x, 'a' as never)).toThrow(/elu: expected alpha to be a number, got a string \('a'\)/);
  });
});

describe('activation Modules', () => {
  const modules: [string, mx.nn.Module & { forward(a: mx.Array): mx.Array }][] = [
    ['relu', new nn.ReLU()],
    ['relu2', new nn.ReLU2()],
    ['relu6', new nn.ReLU6()],
    ['leakyRelu', new nn.LeakyReLU()],
    ['leakyRelu_0.2', new nn.LeakyReLU(0.2)],
    ['elu', new nn.ELU()],
    ['elu_0.5', new nn.ELU({ alpha: 0.5 })],
    ['celu', new nn.CELU()],
    ['celu_1.5', new nn.CELU(1.5)],
    ['gelu', new nn.GELU()],
    ['geluApprox', new nn.GELU('precise')],
    ['geluApprox', new nn.GELU({ approx: 'tanh' })],
    ['geluFastApprox', new nn.GELU('fast')],
    ['silu', new nn.SiLU()],
    ['sigmoid', new nn.Sigmoid()],
    ['logSigmoid', new nn.LogSigmoid()],
    ['softplus', new nn.Softplus()],
    ['softsign', new nn.Softsign()],
    ['softshrink', new nn.Softshrink()],
    ['softshrink_1', new nn.Softshrink(1)],
    ['hardShrink', new nn.HardShrink()],
    ['hardShrink_1', new nn.HardShrink({ lambd: 1 })],
    ['softmin', new nn.Softmin()],
    ['softmax', new nn.Softmax()],
    ['logSoftmax', new nn.LogSoftmax()],
    ['mish', new nn.Mish()],
    ['hardswish', new nn.Hardswish()],
    ['hardTanh', new nn.HardTanh()],
    ['tanh', new nn.Tanh()],
    ['glu', new nn.GLU()],
    ['glu_0', new nn.GLU(0)],
    ['prelu_scalar', new nn.PReLU()],
    ['step', new nn.Step()],
    ['step_1', new nn.Step(1)],
  ];
  test.each(modules)('%s', (name, m) => {
    expectClose(m.forward(x) as mx.Array, fx.cases[name]!, { what: name });
    expect(Object.keys(m.parameters())).toEqual(m instanceof nn.PReLU ? ['weight'] : []);
  });

  test('SELU', () => expectClose(new nn.SELU().forward(x), fx.cases.selu!, { atol: 2e-5, rtol: 2e-5 }));

  test('PReLU: a learnable weight of numParameters slopes, gradients through valueAndGrad', () => {
    const m = new nn.PReLU(6, 0.5);
    expect(m.weight.shape).toEqual([6]);
    expect(m.weight.tolist()).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    m.update({ weight: mx.array(fx.alpha) });
    expectClose(m.forward(x), fx.cases.prelu!);
    const [, g] = nn.valueAndGrad(m, (a: mx.Array) => mx.sum(m.forward(a)))(x);
    // d/dw_j sum(prelu) = sum over rows of min(0, x[:, j]).
    expectClose(g.weight as mx.Array, { shape: [6], data: mx.sum(mx.minimum(x, 0), 0).tolist() as number[] });
  });

  test('bad arguments throw naming the layer', () => {
    expect(() => new nn.GELU('exact' as never)).toThrow(/GELU: expected approx to be one of 'none', 'precise', 'tanh', 'fast', got a string \('exact'\)/);
    expect(() => new nn.PReLU(0)).toThrow(/PReLU: numParameters must be a positive integer, got a number \(0\)/);
    expect(() => new nn.ReLU().forward([1, 2] as never)).toThrow(/ReLU: expected x to be an mx.Array, got a JS array \[1, 2\]/);
  });
});
