/** nn.Module (module.ts): parameter trees, freezing, updates, modes, traversal, and Modules as trees. */
import { describe, expect, it } from 'vitest';
import * as mx from 'mlx-ts/internals';
import { nn } from 'mlx-ts';

class MLP extends nn.Module {
  inProj = new nn.Linear(3, 4);
  outProj = new nn.Linear(4, 2);
  _cache = mx.zeros([2]);
  scale = 2;

  override forward(x: mx.Array): mx.Array {
    return this.outProj.forward(mx.maximum(this.inProj.forward(x), 0));
  }
}

class Nested extends nn.Module {
  layers = [new nn.Linear(2, 2), new nn.Linear(2, 2, false)];
  blocks = { first: new nn.LayerNorm(2), extra: [mx.ones([3])] };
  w = mx.ones([2]);
}

const keysOf = (tree: unknown) => mx.utils.treeFlatten(tree).map(([k]) => k);

describe('parameters', () => {
  it('are the public array members, nested by property name; private and non-array members are left out', () => {
    const m = new MLP();
    const p = m.parameters();
    expect(Object.keys(p)).toEqual(['inProj', 'outProj']);
    expect(keysOf(p)).toEqual(['inProj.weight', 'inProj.bias', 'outProj.weight', 'outProj.bias']);
    expect((p.inProj as { weight: mx.Array }).weight).toBe(m.inProj.weight);
    expect(m.inProj.weight.shape).toEqual([4, 3]);
  });

  it('follow JS arrays and plain objects of modules and arrays', () => {
    const m = new Nested();
    expect(keysOf(m.parameters())).toEqual([
      'layers.0.weight',
      'layers.0.bias',
      'layers.1.weight',
      'blocks.first.weight',
      'blocks.first.bias',
      'blocks.extra.0',
      'w',
    ]);
    expect(globalThis.Array.isArray(m.parameters().layers)).toBe(true);
  });

  it('children, leafModules, modules and namedModules', () => {
    const m = new Nested();
    const c = m.children();
    expect((c.layers as nn.Module[])[0]).toBe(m.layers[0]);
    expect((c.blocks as Record<string, unknown>).first).toBe(m.blocks.first);
    expect(m.modules().length).toBe(4);
    expect(
      m
        .namedModules()
        .map(([k]) => k)
        .sort(),
    ).toEqual(['', 'blocks.first', 'layers.0', 'layers.1']);
    expect(
      mx.utils
        .treeFlatten(m.leafModules(), '', nn.Module.isModule)
        .filter(([, v]) => v instanceof nn.Module)
        .map(([k]) => k),
    ).toEqual(['layers.0', 'layers.1', 'blocks.first']);
    const seq = new nn.Sequential(new MLP(), new nn.Linear(2, 2));
    expect(
      seq
        .namedModules()
        .map(([k]) => k)
        .sort(),
    ).toEqual(['', 'layers.0', 'layers.0.inProj', 'layers.0.outProj', 'layers.1']);
  });

  it('a module with a bias left out has no bias parameter', () => {
    expect(Object.keys(new nn.Linear(2, 3, false).parameters())).toEqual(['weight']);
    expect(Object.keys(new nn.Linear(2, 3, { bias: false }).parameters())).toEqual(['weight']);
  });
});

describe('freeze and unfreeze', () => {
  it('freeze removes parameters from trainableParameters, recursively, and keeps them in parameters', () => {
    const m = new MLP();
    m.freeze();
    expect(keysOf(m.trainableParameters())).toEqual([]);
    expect(keysOf(m.parameters()).length).toBe(4);
    m.unfreeze();
    expect(keysOf(m.trainableParameters()).length).toBe(4);
  });

  it('keys select parameter names in every module; recurse: false only this module', () => {
    const m = new MLP();
    m.freeze({ keys: 'bias' });
    expect(keysOf(m.trainableParameters())).toEqual(['inProj.weight', 'outProj.weight']);
    m.unfreeze({ keys: ['bias'] });
    expect(keysOf(m.trainableParameters()).length).toBe(4);
    // Without recursion only arrays held by this module itself (not by its children) freeze, as in MLX.
    m.freeze({ recurse: false });
    expect(keysOf(m.trainableParameters()).length).toBe(4);
    const n = new Nested();
    n.freeze({ recurse: false });
    expect(keysOf(n.trainableParameters())).toEqual(['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'blocks.first.weight', 'blocks.first.bias']);
    m.outProj.freeze();
    expect(keysOf(m.trainableParameters())).toEqual(['inProj.weight', 'inProj.bias']);
    m.unfreeze({ keys: 'weight' });
    expect(keysOf(m.trainableParameters())).toEqual(['inProj.weight', 'inProj.bias', 'outProj.weight']);
  });

  it('strict checks the keys exist somewhere in the model', () => {
    const m = new MLP();
    expect(() => m.freeze({ keys: 'nope', strict: true })).toThrow(/no module of MLP has a member 'nope'/);
    expect(() => m.freeze({ keys: 'bias', strict: true })).not.toThrow();
    expect(() => m.inProj.freeze({ keys: 'nope', strict: true, recurse: false })).toThrow(/Linear has no member 'nope'/);
    expect(() => m.freeze({ keys: 'nope' })).not.toThrow();
    expect(() => m.freeze({ key: 'bias' } as never)).toThrow(/unknown option 'key'/);
  });

  it('a module holding one of its ancestors is an Error, not a stack overflow; shared submodules are fine', () => {
    class Loop extends nn.Module {
      inner = new nn.Linear(2, 2);
      back: unknown;
      constructor() {
        super();
        this.back = [{ again: this }];
      }
    }
    const m = new Loop();
    expect(() => m.parameters()).toThrow(/Loop.filterAndMap: the module tree contains a cycle at 'back.0.again'/);
    expect(() => m.modules()).toThrow(/Loop.applyToModules: the module tree contains a cycle at 'back.0.again'/);
    expect(() => m.leafModules()).toThrow(/contains a cycle/);
    const shared = new nn.Linear(2, 2);
    class Twice extends nn.Module {
      a = shared;
      b = shared;
    }
    expect(Object.keys(new Twice().parameters())).toEqual(['a', 'b']);
  });

  it('freeze and unfreeze check the kind of their options and keys', () => {
    const m = new MLP();
    expect(() => m.freeze(5 as never)).toThrow(/MLP.freeze: expected an options object .*got a number \(5\)/);
    expect(() => m.freeze({ keys: NaN as never })).toThrow(/MLP.freeze: keys must be a string or a list of strings, got a number \(NaN\)/);
    expect(() => m.unfreeze({ keys: [mx.ones([2])] as never })).toThrow(/MLP.unfreeze: keys must be a string or a list of strings/);
  });

  it("BatchNorm's running statistics stay frozen through unfreeze", () => {
    const bn = new nn.BatchNorm(3);
    expect(keysOf(bn.trainableParameters())).toEqual(['weight', 'bias']);
    expect(keysOf(bn.parameters())).toEqual(['weight', 'bias', 'runningMean', 'runningVar']);
    bn.unfreeze();
    expect(keysOf(bn.trainableParameters())).toEqual(['weight', 'bias']);
    const seq = new nn.Sequential(bn);
    seq.freeze();
    seq.unfreeze();
    expect(keysOf(seq.trainableParameters())).toEqual(['layers.0.weight', 'layers.0.bias']);
  });
});

describe('update', () => {
  it('replaces the given parameters, partially', () => {
    const m = new MLP();
    const w = mx.zeros([4, 3]);
    m.update({ inProj: { weight: w } });
    expect(m.inProj.weight).toBe(w);
    const n = new Nested();
    const b = mx.ones([2]);
    n.update({ layers: [{ bias: b }] });
    expect(n.layers[0]!.bias).toBe(b);
  });

  it('strict: unknown names, indices and non-arrays are errors naming the module and the path', () => {
    const m = new MLP();
    expect(() => m.update({ inProj: { wieght: mx.ones([4, 3]) } })).toThrow(
      /MLP\.update: there is no parameter named 'wieght' \(it has weight, bias\) at 'inProj'/,
    );
    expect(() => m.update({ inProj: { weight: 3 } })).toThrow(/expected an array for parameter 'inProj.weight', got a number/);
    expect(() => m.update({ inProj: [mx.ones([1])] })).toThrow(/expected a Linear module at 'inProj', got a JS array/);
    expect(() => new Nested().update({ layers: [{}, {}, {}] })).toThrow(/index 2 is out of range for a JS array of length 2 at 'layers'/);
    // Not strict: ignored.
    m.update({ inProj: { wieght: mx.ones([1]) }, other: 1 }, false);
    m.update({ inProj: { wieght: mx.ones([1]) } }, { strict: false });
  });

  it('apply maps parameters in place; setDtype casts floating ones', () => {
    const m = new MLP();
    m.apply((x) => mx.multiply(x, 0));
    expect(mx.sum(mx.abs(m.inProj.weight)).item()).toBe(0);
    m.setDtype(mx.float16);
    expect(m.outProj.bias!.dtype).toBe(mx.float16);
  });

  it('updateModules swaps submodules', () => {
    const m = new MLP();
    const l = new nn.Linear(4, 2, false);
    m.updateModules({ outProj: l });
    expect(m.outProj).toBe(l);
    const seq = new nn.Sequential(new nn.Linear(2, 2), new nn.Linear(2, 2));
    const id = new nn.Identity();
    seq.updateModules({ layers: [{}, id] });
    expect(seq.layers[1]).toBe(id);
    expect(() => m.updateModules({ nope: l })).toThrow(/no submodule named 'nope'/);
  });
});

describe('train and eval', () => {
  it('set the mode on every submodule', () => {
    const m = new nn.Sequential(new nn.Dropout(0.5), new MLP());
    expect(m.training).toBe(true);
    m.eval();
    expect(m.modules().every((x) => !x.training)).toBe(true);
    m.train();
    expect(m.modules().every((x) => x.training)).toBe(true);
    m.train(false);
    expect((m.layers[0] as nn.Module).training).toBe(false);
  });
});

describe('a Module is a tree', () => {
  it('core treeFlatten sees its members; treeMap and treeUnflatten give plain objects', () => {
    const m = new MLP();
    const [leaves, def] = mx.treeFlatten(m);
    expect(leaves.length).toBe(5); // the four parameters and _cache, as MLX's dict holds them
    expect(mx.treeDefString(def)).toBe('{inProj: {weight: *, bias: *}, outProj: {weight: *, bias: *}, _cache: *}');
    const doubled = mx.treeMap((x: mx.Array) => mx.multiply(x, 2), m);
    expect(doubled instanceof nn.Module).toBe(false);
    expect(Object.keys(doubled)).toEqual(['inProj', 'outProj', '_cache']);
    const sums = mx.treeMap((a: mx.Array, b: mx.Array) => mx.add(a, b), m.parameters(), m.parameters());
    expect(keysOf(sums).length).toBe(4);
    expect(keysOf(mx.utils.treeMap((x: mx.Array) => x, m)).length).toBe(5);
  });

  it('mx.eval(model) evaluates its arrays', () => {
    const m = new MLP();
    m.inProj.weight = mx.add(m.inProj.weight, 1);
    expect(m.inProj.weight.isEvaluated).toBe(false);
    mx.eval(m);
    expect(m.inProj.weight.isEvaluated).toBe(true);
  });

  it('mx.grad differentiates a function of a Module, giving a plain tree', () => {
    const m = new nn.Linear(2, 1);
    const g = mx.grad((mm: { weight: mx.Array }) => mx.sum(mm.weight))(m) as Record<string, mx.Array>;
    expect(Object.keys(g)).toEqual(['weight', 'bias']);
    expect(g.weight!.tolist()).toEqual([[1, 1]]);
  });

  it('toString lists the children', () => {
    expect(new MLP().toString()).toBe(
      'MLP(\n  (inProj): Linear(inputDims=3, outputDims=4, bias=true)\n  (outProj): Linear(inputDims=4, outputDims=2, bias=true)\n)',
    );
  });

  it('forward of a bare Module says it is not defined', () => {
    expect(() => new nn.Module().forward()).toThrow(/Module\.forward is not defined/);
  });
});

describe("cases from MLX's test_nn.py", () => {
  it('children and leafModules of nested Sequentials with functions', () => {
    const relu = (x: mx.Array) => mx.maximum(x, 0);
    const m = new nn.Sequential(
      new nn.Sequential(new nn.Linear(2, 10), relu),
      new nn.Sequential(new nn.Linear(10, 10), new nn.Identity()),
      new nn.Linear(10, 1),
      mx.sigmoid,
    );
    const children = m.children();
    expect(Object.keys(children)).toEqual(['layers']);
    expect((children.layers as unknown[]).length).toBe(4);
    expect((children.layers as unknown[])[3]).toEqual({});
    expect(mx.utils.treeFlatten(children, '', nn.Module.isModule).length).toBe(3);
    const leaves = mx.utils.treeFlatten<nn.Module>(m.leafModules(), '', nn.Module.isModule).filter(([, v]) => v instanceof nn.Module);
    expect(leaves.map(([k]) => k)).toEqual(['layers.0.layers.0', 'layers.1.layers.0', 'layers.1.layers.1', 'layers.2']);
    expect(leaves[3]![1]).toBe(m.layers[2]);
    expect(m.forward(mx.ones([3, 2])).shape).toEqual([3, 1]);
  });

  it('members set to undefined stop being parameters; dict members are parameters', () => {
    class M extends nn.Module {
      val?: mx.Array = mx.array(1);
      weights = { w1: mx.zeros([2, 2]), w2: mx.ones([2, 2]) };
    }
    const m = new M();
    expect(keysOf(m.parameters())).toEqual(['val', 'weights.w1', 'weights.w2']);
    m.val = undefined;
    expect(keysOf(m.parameters())).toEqual(['weights.w1', 'weights.w2']);
  });

  it('loadWeights from pairs: too few, wrong names, too many, wrong shapes and types', () => {
    const m = new nn.Linear(2, 2);
    const w: [string, mx.Array][] = [['weight', mx.ones([2, 2])]];
    expect(() => m.loadWeights(w)).toThrow(/1 missing: bias/);
    m.loadWeights(w, false);
    expect(m.weight).toBe(w[0]![1]);
    expect(() => m.loadWeights([['weihgt', mx.ones([2, 2])]])).toThrow(/1 unexpected \(not in the model\): weihgt/);
    m.loadWeights([['weihgt', mx.ones([2, 2])]], false);
    expect(() =>
      m.loadWeights([
        ['weight', mx.ones([2, 2])],
        ['bias', mx.ones([2])],
        ['bias2', mx.ones([2])],
      ]),
    ).toThrow(/unexpected.*bias2/);
    expect(() =>
      m.loadWeights([
        ['weight', mx.ones([2, 2])],
        ['bias', mx.ones([2, 1])],
      ]),
    ).toThrow('bias: expected shape [2], got [2,1]');
    expect(() =>
      m.loadWeights([
        ['weight', mx.ones([2, 2])],
        ['bias', 3 as never],
      ]),
    ).toThrow('bias: expected an array, got a number');
    m.loadWeights([], false);
    const s = new nn.Sequential(new nn.Linear(2, 2));
    s.loadWeights(
      [
        ['layers.0.weight', mx.ones([2, 2])],
        ['layers.0.bias', mx.ones([2])],
        ['layers.1.weight', mx.ones([2, 2])],
      ],
      false,
    );
    expect(s.layers.length).toBe(1);
  });

  it('freeze with strict keys present in only some modules; chaining', () => {
    const m = new nn.Sequential(new nn.Linear(2, 2, false), new nn.Linear(2, 2));
    m.freeze({ keys: 'bias', strict: true });
    expect(keysOf(m.trainableParameters()).some((k) => k.endsWith('bias'))).toBe(false);
    m.unfreeze({ keys: 'bias', strict: true });
    expect(keysOf(m.trainableParameters()).some((k) => k.endsWith('bias'))).toBe(true);
    expect(m.freeze().unfreeze().update(m.parameters()).eval().training).toBe(false);
    expect(m.train().training).toBe(true);
  });

  it('update and updateModules reject what does not fit', () => {
    const m = new nn.Sequential(new nn.Linear(3, 3), new nn.Linear(3, 3));
    expect(() => m.update({ layers: [{ value: 0 }] })).toThrow(/no parameter named 'value'/);
    expect(() => m.update({ layers: ['hello'] })).toThrow(/expected a Linear module at 'layers.0', got a string/);
    expect(() => m.update({ layers: [{ weight: 'hi' }] })).toThrow(/expected an array for parameter 'layers.0.weight', got a string/);
    expect(() => m.updateModules({ values: [0, 1] })).toThrow(/no submodule named 'values'/);
    expect(() => m.updateModules({ layers: [0, 1] })).toThrow(/expected a Linear module at 'layers.0', got a number/);
    m.updateModules({ layers: [{}, new nn.Linear(3, 4)] });
    expect((m.layers[1] as nn.Linear).weight.shape).toEqual([4, 3]);
    expect(() => m.updateModules({ layers: [{}, {}, new nn.Linear(3, 4)] })).toThrow(/index 2 is out of range for a JS array of length 2 at 'layers'/);
    m.updateModules({ layers: [{}, new nn.Linear(3, 5), new nn.Linear(5, 5)] }, false);
    expect(m.layers.length).toBe(2);
    class Holder extends nn.Module {
      test = mx.array(1);
      list = [mx.array(1), mx.array(2)];
      stuff = [new nn.Linear(2, 2), 0, new nn.Linear(2, 2)];
      moreStuff = { hi: new nn.Linear(2, 2), bye: 0 };
    }
    const h = new Holder();
    expect(() => h.updateModules({ test: 'hi' })).toThrow(/'test' holds an array/);
    expect(() => h.updateModules({ list: ['hi'] })).toThrow(/'list.0' holds an array/);
    h.updateModules(h.leafModules());
  });
});
