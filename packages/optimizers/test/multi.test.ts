import * as mx from 'mlx-ts';
import { describe, expect, test } from 'vitest';
import { flattenWithPaths, mergeTrees, unflattenPaths } from '../src/multi.js';

const { Adam, AdamW, MultiOptimizer, Muon, SGD } = mx.optimizers;

const linear = (i: number, o: number) => ({ weight: mx.ones([o, i]), bias: mx.zeros([o]) });
const modelParams = () => ({ l1: linear(2, 2), l2: linear(2, 2), vals: [linear(2, 2), {}, {}] });

describe('MultiOptimizer', () => {
  test('each weight goes to the first optimizer whose filter takes it; the last takes the rest', () => {
    const seen: string[] = [];
    const opt = new MultiOptimizer(
      [new Adam(0.001), new SGD(0.1)],
      [
        (path, w) => {
          seen.push(path);
          return w.ndim > 1;
        },
      ],
    );
    opt.init(modelParams());
    expect(seen).toEqual(['l1.weight', 'l1.bias', 'l2.weight', 'l2.bias', 'vals.0.weight', 'vals.0.bias']);
    const states = opt.state.states as mx.optimizers.OptimizerState[];
    expect(states.length).toBe(2);
    const paths = (s: unknown) => flattenWithPaths(s).map(([p]) => p);
    expect(paths(states[0])).toEqual([
      'step',
      'learning_rate',
      'l1.weight.m',
      'l1.weight.v',
      'l2.weight.m',
      'l2.weight.v',
      'vals.0.weight.m',
      'vals.0.weight.v',
    ]);
    expect(paths(states[1])).toEqual(['step', 'learning_rate', 'l1.bias.v', 'l2.bias.v', 'vals.0.bias.v']);
  });

  test('the update is each optimizer on its part, merged', () => {
    const params = modelParams();
    const grads = mx.treeMap((p: mx.Array) => mx.onesLike(p).multiply(0.5), params);
    const filter = (_: string, w: mx.Array) => w.ndim > 1;
    const out = new MultiOptimizer([new Adam(0.01), new SGD(0.1)], [filter]).applyGradients(grads, params);
    const adam = new Adam(0.01).applyGradients({ l1: { weight: grads.l1.weight } }, params);
    const sgd = new SGD(0.1).applyGradients({ l1: { bias: grads.l1.bias } }, params);
    expect(out.l1.weight.tolist()).toEqual(adam.l1.weight.tolist());
    expect(out.l1.bias.tolist()).toEqual(sgd.l1.bias.tolist());
    expect(Object.keys(out)).toEqual(['l1', 'l2', 'vals']);
    expect(out.vals.length).toBe(1);
  });

  test('layers without parameters (Muon for matrices, AdamW for the rest) both change over two updates', () => {
    // A layer with parameters, or one without (a ReLU): the type gradients of such a model have.
    type Layer = { weight: mx.Array; bias: mx.Array } | Record<string, never>;
    const model = {
      layers: [linear(4, 4), {}, linear(4, 4)] as Layer[],
      update(p: { layers: Layer[] }) {
        p.layers.forEach((l, i) => Object.assign(this.layers[i]!, l));
      },
    };
    const opt = new MultiOptimizer([new Muon(0.01), new AdamW(0.01)], [(_, w) => w.ndim >= 2]);
    const grads: { layers: Layer[] } = {
      layers: [{ weight: mx.full([4, 4], 0.3), bias: mx.full([4], 0.2) }, {}, { weight: mx.full([4, 4], -0.1), bias: mx.full([4], 0.1) }],
    };
    opt.update(model, grads);
    const first = () => model.layers[0] as { weight: mx.Array; bias: mx.Array };
    const { weight: w, bias: b } = first();
    opt.update(model, grads);
    expect(mx.arrayEqual(w, first().weight).itemBool()).toBe(false);
    expect(mx.arrayEqual(b, first().bias).itemBool()).toBe(false);
    expect(opt.step.item()).toBe(2);
  });

  test('learningRate sets every optimizer; the state round-trips; bad arguments', () => {
    const a = new Adam(0.1);
    const s = new SGD(0.2);
    const opt = new MultiOptimizer([a, s], [() => false]);
    expect(opt.learningRate.item()).toBeCloseTo(0.1);
    opt.learningRate = 0.5;
    expect([a.learningRate.item(), s.learningRate.item()]).toEqual([0.5, 0.5]);
    const state = opt.state;
    opt.state = state;
    expect(a.state).toBe(state.states![0 as never]);
    expect(() => (opt.state = { states: [a.state] })).toThrow('MultiOptimizer: the state must be { states: [...] } with one state per optimizer (2)');
    expect(() => new MultiOptimizer([a, s])).toThrow('MultiOptimizer: given 0 filters but 1 needed');
    expect(() => new MultiOptimizer([])).toThrow('MultiOptimizer: expected a non-empty JS array of optimizers');
  });

  test('dotted paths: flatten, unflatten (integer levels are JS arrays, gaps empty objects), merge', () => {
    const one = mx.ones([1]);
    const star = (t: unknown) => mx.treeMap(() => '*', t);
    expect(
      star(
        unflattenPaths([
          ['a.0.w', one],
          ['a.2.w', one],
          ['b', one],
        ]),
      ),
    ).toEqual({ a: [{ w: '*' }, {}, { w: '*' }], b: '*' });
    expect(unflattenPaths([])).toEqual({});
    expect(star(mergeTrees({ a: [{ w: one }] }, { a: [{ b: one }, { c: one }] }))).toEqual({ a: [{ w: '*', b: '*' }, { c: '*' }] });
    expect(() => mergeTrees({ a: one }, { a: one })).toThrow("MultiOptimizer: two optimizers updated the same position 'a'");
  });
});
