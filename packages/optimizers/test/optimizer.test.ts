import * as mx from 'mlx-ts/internals';
import { describe, expect, test } from 'vitest';
import { expectClose } from './helpers.js';

const { Optimizer, SGD, RMSprop, Adagrad, AdaDelta, Adam, AdamW, Adamax, Lion, Adafactor, Muon } = mx.optimizers;
const all = { SGD, RMSprop, Adagrad, AdaDelta, Adam, AdamW, Adamax, Lion, Adafactor, Muon };

/** A plain-object model: its parameters are its own properties; update() takes new ones. */
function makeModel() {
  return {
    w: mx.array([
      [0.5, -0.25],
      [0.1, 0.3],
      [-0.4, 0.2],
    ]),
    b: mx.array([0.05, -0.1]),
    update(p: { w?: mx.Array; b?: mx.Array }) {
      Object.assign(this, p);
    },
  };
}
type Model = ReturnType<typeof makeModel>;
const x = mx.array([
  [1, 2, 3],
  [0.5, -1, 2],
  [-1, 0.25, 1],
  [2, 1, -0.5],
]);
const y = mx.array([
  [1, 0],
  [0, 1],
  [1, 1],
  [-1, 0.5],
]);
const loss = (p: { w: mx.Array; b: mx.Array }) => mx.mean(mx.square(mx.subtract(mx.add(mx.matmul(x, p.w), p.b), y)));
const gradsOf = (m: Model) => mx.grad(loss)({ w: m.w, b: m.b }) as { w: mx.Array; b: mx.Array };

describe('Optimizer', () => {
  test("the state: step (uint32) and learning_rate as Arrays, then one object per parameter, MLX's layout", () => {
    const opt = new SGD(0.1, 0.9);
    expect(Object.keys(opt.state)).toEqual(['step', 'learning_rate']);
    expect([opt.step.dtype, opt.step.item(), opt.learningRate.dtype]).toEqual([mx.uint32, 0, mx.float32]);
    expectClose(opt.learningRate.item(), 0.1);
    opt.init({ w: mx.zeros([2]), layers: [{ b: mx.zeros([1]) }, {}] });
    expect(Object.keys(opt.state)).toEqual(['step', 'learning_rate', 'w', 'layers']);
    const layers = opt.state.layers as { b?: { v: mx.Array } }[];
    expect([layers.length, Object.keys(layers[1]!), layers[0]!.b!.v.shape]).toEqual([2, [], [1]]);
    opt.learningRate = 0.5;
    expect(opt.learningRate.item()).toBe(0.5);
    expect(() => (opt.learningRate = 'x' as never)).toThrow('SGD: learningRate must be a number or an Array');
  });

  test('update(model, grads) applies the gradients to the model; lazy init on the first update', () => {
    const m = makeModel();
    const opt = new Adam(0.01);
    const g = gradsOf(m);
    const expected = new Adam(0.01).applyGradients(g, { w: m.w, b: m.b });
    opt.update(m, g);
    expect([m.w.tolist(), m.b.tolist()]).toEqual([expected.w.tolist(), expected.b.tolist()]);
    expect(opt.step.item()).toBe(1);
    // A model with trainableParameters(): those are the parameters.
    const calls: string[] = [];
    const wrapped = {
      inner: { w: mx.ones([2]) },
      trainableParameters() {
        calls.push('trainableParameters');
        return { w: this.inner.w };
      },
      update(p: { w: mx.Array }) {
        this.inner.w = p.w;
      },
    };
    new SGD(0.5).update(wrapped, { w: mx.ones([2]) });
    expect([calls, wrapped.inner.w.tolist()]).toEqual([['trainableParameters'], [0.5, 0.5]]);
  });

  test('every optimizer keeps shapes and dtypes (float16 too)', () => {
    for (const [name, Opt] of Object.entries(all)) {
      const params = { first: [mx.zeros([10]), mx.zeros([1])], second: mx.zeros([1]), h: mx.ones([5, 5], mx.float16) };
      const grads = mx.treeMap((p: mx.Array) => mx.onesLike(p), params);
      const out = new Opt(0.1).applyGradients(grads, params);
      mx.evalFn(out);
      expect([out.first[0]!.shape, out.first[1]!.shape, out.second.shape, out.h.shape, out.h.dtype], name).toEqual([[10], [1], [1], [5, 5], mx.float16]);
    }
  });

  test('parameters may hold more than the gradients; the result has the gradients structure', () => {
    const out = new SGD(1).applyGradients({ a: mx.ones([2]) }, { a: mx.ones([2]), frozen: mx.ones([3]) });
    expect(Object.keys(out)).toEqual(['a']);
    expect(out.a.tolist()).toEqual([0, 0]);
  });

  test('mismatched trees throw, naming the optimizer and the first mismatching path', () => {
    const params = { layers: [{ w: mx.zeros([2, 2]) }, { w: mx.zeros([3]) }] };
    const opt = () => new Adam(0.1);
    expect(() => opt().applyGradients({ layers: [{ w: mx.zeros([2, 2]) }, { v: mx.zeros([3]) }] }, params)).toThrow(
      "Adam: the gradient at 'layers.1.v' has no parameter",
    );
    expect(() => opt().applyGradients({ layers: [{ w: mx.zeros([2, 3]) }, { w: mx.zeros([3]) }] }, params)).toThrow(
      "Adam: the gradient at 'layers.0.w' has shape [2, 3], its parameter [2, 2]",
    );
    expect(() => opt().applyGradients({ layers: [{ w: mx.zeros([2, 2]) }, { w: mx.zeros([3]) }, { w: mx.zeros([1]) }] }, params)).toThrow(
      "Adam: the gradient at 'layers.2' has no parameter (the parameters hold a JS array of length 2)",
    );
    expect(() => opt().applyGradients({ layers: { w: mx.zeros([2, 2]) } }, params)).toThrow(
      "Adam: the gradients hold an object at 'layers', the parameters a JS array of length 2",
    );
    expect(() => new AdamW(0.1).applyGradients({ layers: [{ w: 3 as never }] }, params)).toThrow(
      "AdamW: the gradient at 'layers.0.w' is a number (3), not an Array",
    );
    expect(() => opt().applyGradients([mx.zeros([1])] as never, params)).toThrow('Adam: the gradients must be an object at the root');
    // The state was built for other parameters: the new one has no entry.
    const o = opt();
    o.init({ a: mx.zeros([1]) });
    expect(() => o.applyGradients({ a: mx.zeros([1]), b: mx.zeros([1]) }, { a: mx.zeros([1]), b: mx.zeros([1]) })).toThrow(
      "Adam: the state has no entry for the parameter at 'b'",
    );
    expect(() => (o.state = [] as never)).toThrow('Adam: the state must be an object');
    class Bare extends Optimizer {}
    expect(() => new Bare().applyGradients({ a: mx.zeros([1]) }, { a: mx.zeros([1]) })).toThrow('Bare does not define initSingle');
  });

  test('state save and load: flatten, rebuild from host values, continue as the original does', () => {
    const run = (opt: mx.optimizers.Optimizer, m: Model, n: number) => {
      for (let i = 0; i < n; i++) opt.update(m, gradsOf(m));
      mx.evalFn(m.w, m.b, opt.state);
    };
    const m1 = makeModel();
    const a = new Adam(mx.optimizers.cosineDecay(0.05, 20), { biasCorrection: true });
    run(a, m1, 3);
    const [leaves, def] = mx.treeFlatten(a.state);
    const saved = JSON.parse(JSON.stringify(leaves.map((l) => ({ value: l.tolist(), dtype: l.dtype.name }))));
    const b = new Adam(mx.optimizers.cosineDecay(0.05, 20), { biasCorrection: true });
    b.state = mx.treeUnflatten(
      def,
      saved.map((s: { value: mx.NestedList; dtype: string }) => mx.array(s.value as number[], s.dtype as 'float32')),
    );
    const m2 = makeModel();
    m2.update({ w: m1.w, b: m1.b });
    run(a, m1, 3);
    run(b, m2, 3);
    expect([m2.w.tolist(), m2.b.tolist(), b.step.item()]).toEqual([m1.w.tolist(), m1.b.tolist(), 6]);
    // A state made by init() on another optimizer loads too (MLX's init-from-state).
    const c = new Adam(3e-4);
    c.init({ w: mx.zeros([3, 2]), b: mx.zeros([2]) });
    const [l2, d2] = mx.treeFlatten(c.state);
    const fresh = new Adam(3e-4);
    fresh.state = mx.treeUnflatten(d2, l2);
    fresh.update(makeModel(), gradsOf(makeModel()));
    expect(fresh.step.item()).toBe(1);
  });

  test.each<[string, () => mx.optimizers.Optimizer]>([
    ['SGD with momentum and an exponential decay', () => new SGD(mx.optimizers.exponentialDecay(0.1, 0.9), 0.9)],
    [
      'Adam with bias correction and a warm-up + cosine schedule',
      () =>
        new Adam(mx.optimizers.joinSchedules([mx.optimizers.linearSchedule(0, 0.05, 3), mx.optimizers.cosineDecay(0.05, 10)], [3]), { biasCorrection: true }),
    ],
    ['Adafactor', () => new Adafactor()],
    ['Muon', () => new Muon(0.02)],
  ])('a compiled training step gives the eager result: %s', (_, make) => {
    const eagerModel = makeModel();
    const eager = make();
    const model = makeModel();
    const opt = make();
    const step = mx.compile(
      () => {
        const [l, g] = mx.valueAndGrad(loss)({ w: model.w, b: model.b }) as unknown as [mx.Array, { w: mx.Array; b: mx.Array }];
        opt.update(model, g);
        return l;
      },
      { inputs: [model, opt.state], outputs: [model, opt.state] },
    );
    for (let i = 0; i < 6; i++) {
      const l = step();
      const eagerLoss = loss({ w: eagerModel.w, b: eagerModel.b });
      eager.update(eagerModel, gradsOf(eagerModel));
      expectClose(l.item(), eagerLoss.item(), 1e-5, 1e-7);
      expectClose(model.w.tolist(), eagerModel.w.tolist(), 1e-5, 1e-7);
      expectClose(model.b.tolist(), eagerModel.b.tolist(), 1e-5, 1e-7);
      if ('learning_rate' in eager.state) expectClose(opt.learningRate.item(), eager.learningRate.item(), 1e-6, 0);
      expect(opt.step.item()).toBe(i + 1);
    }
    // The first call builds the state inside the trace; from the second on one trace serves.
    expect(step.traceCount).toBeLessThanOrEqual(2);
  });

  test('a compiled update reads the learning rate from the state (set it without retracing)', () => {
    const params = { w: mx.ones([5, 5]) };
    const opt = new SGD(-1);
    const update = mx.compile((grads: { w: mx.Array }) => opt.applyGradients(grads, params), { inputs: opt.state });
    expect(update({ w: mx.onesLike(params.w) }).w.tolist()).toEqual(mx.full([5, 5], 2).tolist());
    opt.learningRate = -2;
    expect(update({ w: mx.onesLike(params.w) }).w.tolist()).toEqual(mx.full([5, 5], 3).tolist());
  });

  test('a compiled schedule follows the step in the state', () => {
    const schedule = mx.optimizers.exponentialDecay(0.1, 0.9);
    const opt = new SGD(schedule);
    const model = { update: () => undefined };
    const update = mx.compile(() => opt.update(model, {}), { inputs: opt.state, outputs: opt.state });
    for (let s = 0; s < 5; s++) {
      update();
      expectClose(opt.learningRate.item(), schedule(s).item(), 1e-6, 0);
    }
  });
});
