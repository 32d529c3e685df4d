/** value-and-grad.ts: nn.valueAndGrad, training loops written the MLX way, and compiled steps with a Module as state. */
import { describe, expect, it } from 'vitest';
import * as mx from 'mlx-ts/internals';
import { nn } from 'mlx-ts';
import { assertAllClose } from '@mlx-ts/testing';

class MLP extends nn.Module {
  layers: nn.Linear[];

  constructor(dims: number[]) {
    super();
    this.layers = dims.slice(1).map((d, i) => new nn.Linear(dims[i]!, d));
  }

  override forward(x: mx.Array): mx.Array {
    let y = x;
    this.layers.forEach((l, i) => {
      y = l.forward(y);
      if (i < this.layers.length - 1) y = mx.maximum(y, 0);
    });
    return y;
  }
}

const mse = (model: nn.Module, x: mx.Array, y: mx.Array) => mx.mean(mx.square(mx.subtract(model.forward(x) as mx.Array, y)));

describe('nn.valueAndGrad', () => {
  it('gives the loss and gradients shaped like the trainable parameters, and matches mx.valueAndGrad', () => {
    mx.random.seed(0);
    const model = new MLP([3, 4, 2]);
    const x = mx.random.normal([5, 3]);
    const y = mx.random.normal([5, 2]);
    const [loss, grads] = nn.valueAndGrad(model, (a: mx.Array, b: mx.Array) => mse(model, a, b))(x, y);
    expect(mx.utils.treeFlatten(grads).map(([k]) => k)).toEqual(mx.utils.treeFlatten(model.trainableParameters()).map(([k]) => k));
    const direct = mx.valueAndGrad((p: nn.ModuleParameters) => mse(new MLP([3, 4, 2]).update(p), x, y))(model.parameters());
    assertAllClose(loss, direct[0]);
    mx.utils.treeFlatten<mx.Array>(grads).forEach(([k, g], i) => {
      expect(k).toBe(mx.utils.treeFlatten(direct[1])[i]![0]);
      assertAllClose(g, mx.utils.treeFlatten<mx.Array>(direct[1])[i]![1]);
    });
    // The model keeps its own arrays after the call.
    for (const [, v] of mx.utils.treeFlatten<mx.Array>(model.parameters())) expect(mx.isTracer(v)).toBe(false);
  });

  it('leaves frozen parameters out and passes auxiliary outputs through', () => {
    const model = new MLP([2, 2]);
    model.freeze({ keys: 'bias' });
    const [[loss, aux], grads] = nn.valueAndGrad(model, (x: mx.Array) => {
      const out = model.forward(x);
      return [mx.sum(out), out] as const;
    })(mx.ones([1, 2]));
    expect(loss.shape).toEqual([]);
    expect(aux.shape).toEqual([1, 2]);
    expect(mx.utils.treeFlatten(grads).map(([k]) => k)).toEqual(['layers.0.weight']);
  });

  it('composes with mx.vmap: per-example gradients equal a loop', () => {
    mx.random.seed(3);
    const model = new MLP([3, 2]);
    const lossAndGrad = nn.valueAndGrad(model, (x: mx.Array, y: mx.Array) => mx.sum(mx.square(mx.subtract(model.forward(x), y))));
    const xs = mx.random.normal([4, 3]);
    const ys = mx.random.normal([4, 2]);
    const [losses, grads] = mx.vmap(lossAndGrad)(xs, ys) as [mx.Array, nn.ModuleParameters];
    expect(losses.shape).toEqual([4]);
    for (let i = 0; i < 4; i++) {
      const [li, gi] = lossAndGrad(mx.take(xs, i, 0), mx.take(ys, i, 0));
      assertAllClose(mx.take(losses, i, 0), li, { rtol: 1e-5, atol: 1e-6 });
      mx.utils.treeFlatten<mx.Array>(gi).forEach(([k, g], j) => {
        const [kb, gb] = mx.utils.treeFlatten<mx.Array>(grads)[j]!;
        expect(kb).toBe(k);
        assertAllClose(mx.take(gb, i, 0), g, { rtol: 1e-5, atol: 1e-6 });
      });
    }
  });

  it('checks its arguments', () => {
    expect(() => nn.valueAndGrad({} as nn.Module, () => mx.array(0))).toThrow(/expected an nn.Module/);
  });
});

describe('training the MLX way', () => {
  const data = () => {
    mx.random.seed(42);
    const x = mx.random.normal([64, 4]);
    const w = mx.array([[1], [-2], [0.5], [3]]);
    return { x, y: mx.matmul(x, w) };
  };

  it('SGD with valueAndGrad, update(treeMap(...)) and eval(parameters) lowers the loss, no dispose', () => {
    const { x, y } = data();
    mx.random.seed(1);
    const model = new MLP([4, 8, 1]);
    const lossFn = (a: mx.Array, b: mx.Array) => mse(model, a, b);
    const lossAndGrad = nn.valueAndGrad(model, lossFn);
    const first = lossFn(x, y).item();
    let last = first;
    for (let i = 0; i < 200; i++) {
      const [loss, grads] = lossAndGrad(x, y);
      model.update(mx.treeMap((p: mx.Array, g: mx.Array) => mx.subtract(p, mx.multiply(0.05, g)), model.parameters(), grads));
      mx.eval(model.parameters(), loss);
      last = loss.item();
    }
    expect(last).toBeLessThan(first / 20);
  });

  it('mx.compile of a step with inputs/outputs [model] matches eager and writes the model in place', () => {
    const { x, y } = data();
    const make = () => {
      mx.random.seed(7);
      return new MLP([4, 8, 1]);
    };
    const eager = make();
    const compiledModel = make();
    const stepFor = (model: MLP) => {
      const lossAndGrad = nn.valueAndGrad(model, (a: mx.Array, b: mx.Array) => mse(model, a, b));
      return (a: mx.Array, b: mx.Array) => {
        const [loss, grads] = lossAndGrad(a, b);
        model.update(mx.treeMap((p: mx.Array, g: mx.Array) => mx.subtract(p, mx.multiply(0.1, g)), model.trainableParameters(), grads));
        return loss;
      };
    };
    const eagerStep = stepFor(eager);
    const step = mx.compile(stepFor(compiledModel), { inputs: [compiledModel], outputs: [compiledModel] });
    for (let i = 0; i < 5; i++) {
      const le = eagerStep(x, y);
      mx.eval(eager);
      const lc = step(x, y);
      mx.eval(compiledModel);
      assertAllClose(lc, le, { rtol: 1e-5, atol: 1e-6 });
    }
    expect(step.traceCount).toBe(1);
    mx.utils.treeFlatten<mx.Array>(compiledModel.parameters()).forEach(([k, v], i) => {
      const [ke, ve] = mx.utils.treeFlatten<mx.Array>(eager.parameters())[i]!;
      expect(k).toBe(ke);
      expect(mx.isTracer(v)).toBe(false);
      assertAllClose(v, ve, { rtol: 1e-5, atol: 1e-6 });
    });
  });

  it("BatchNorm's running statistics update inside valueAndGrad and a compiled step", () => {
    const model = new nn.Sequential(new nn.Linear(3, 2), new nn.BatchNorm(2));
    const bn = model.layers[1] as nn.BatchNorm;
    const x = mx.random.normal([8, 3]);
    const lossAndGrad = nn.valueAndGrad(model, (a: mx.Array) => mx.sum(model.forward(a)));
    const step = mx.compile((a: mx.Array) => lossAndGrad(a)[0], { inputs: [model], outputs: [model] });
    step(x);
    mx.eval(model);
    const expected = mx.multiply(0.1, mx.mean((model.layers[0] as nn.Linear).forward(x), 0));
    assertAllClose(bn.runningMean!, expected, { rtol: 1e-5, atol: 1e-6 });
    expect(mx.isTracer(bn.runningMean!)).toBe(false);
  });
});
