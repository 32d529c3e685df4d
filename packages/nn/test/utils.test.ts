/** utils.ts: mx.utils, MLX's tree helpers with dotted paths. */
import { describe, expect, it } from 'vitest';
import * as mx from 'mlx-ts';
import { nn } from 'mlx-ts';

const { treeFlatten, treeUnflatten, treeMap, treeMapWithPath, treeReduce, treeMerge } = mx.utils;

describe('mx.utils', () => {
  it('treeMap maps every leaf, numbers included, as MLX', () => {
    expect(treeMap((x: number) => x + 1, { a: 0, b: 1, c: 2 })).toEqual({ a: 1, b: 2, c: 3 });
    expect(treeMap((x: number, y: number) => x + y, [1, { a: 2 }], [10, { a: 20, extra: 0 }])).toEqual([11, { a: 22 }]);
    expect(treeMap((x: unknown) => typeof x, { a: [1, 2] }, { isLeaf: (x: unknown) => globalThis.Array.isArray(x) })).toEqual({ a: 'object' });
    expect(() => treeMap((x: number, y: number) => x + y, { a: 1 }, { b: 1 })).toThrow(/treeMap: trees differ at the root: expected an object with key 'a'/);
  });

  it('treeMapWithPath passes dotted paths', () => {
    const paths: string[] = [];
    treeMapWithPath((p: string, x: number) => paths.push(p) && x, {
      model: [
        { w: 0, b: 1 },
        { w: 0, b: 1 },
      ],
    });
    expect(paths).toEqual(['model.0.w', 'model.0.b', 'model.1.w', 'model.1.b']);
    const withPrefix: string[] = [];
    treeMapWithPath((p: string) => withPrefix.push(p), [1], { path: 'root' });
    expect(withPrefix).toEqual(['root.0']);
  });

  it('treeFlatten and treeUnflatten round-trip dotted paths; integer levels become JS arrays', () => {
    const tree = [{ a: 1, b: 2 }, 'c'];
    const flat = treeFlatten(tree);
    expect(flat).toEqual([
      ['0.a', 1],
      ['0.b', 2],
      ['1', 'c'],
    ]);
    expect(treeUnflatten(flat)).toEqual(tree);
    expect(treeFlatten([[[0]]], '.hello')).toEqual([['hello.0.0.0', 0]]);
    expect(treeFlatten({ a: { b: 1 } }, { prefix: '.x' })).toEqual([['x.a.b', 1]]);
    expect(treeUnflatten({ 'hello.world': 42 })).toEqual({ hello: { world: 42 } });
    expect(treeUnflatten([['', 5]])).toBe(5);
    expect(treeUnflatten([['l.2', 5]])).toEqual({ l: [{}, {}, 5] });
    expect(treeFlatten({ a: {} })).toEqual([]);
  });

  it('flattens a model to MLX-style parameter names', () => {
    const model = new nn.Sequential(new nn.Linear(2, 3), new nn.LayerNorm(3));
    expect(treeFlatten(model.parameters()).map(([k]) => k)).toEqual(['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias']);
    const back = treeUnflatten<{ layers: { weight: mx.Array }[] }>(treeFlatten(model.parameters()));
    expect(back.layers[1]!.weight).toBe(model.layers[1] instanceof nn.LayerNorm ? model.layers[1].weight : null);
  });

  it('treeReduce folds the leaves', () => {
    expect(treeReduce((acc: number, x: number) => acc + x, { a: [1, 2, 3], b: [4, 5] }, 0)).toBe(15);
    expect(treeReduce((acc: number, x: number) => acc * x, [2, [3, 4]])).toBe(24);
    const m = new nn.Linear(3, 2);
    expect(treeReduce((acc: number, x: mx.Array) => acc + x.size, m.parameters(), 0)).toBe(8);
  });

  it('treeMerge merges disjoint trees and needs mergeFn where both hold values', () => {
    expect(treeMerge({ a: 0 }, { b: 1 })).toEqual({ a: 0, b: 1 });
    expect(() => treeMerge({ a: 0 }, { a: 0 })).toThrow(/both trees hold a value at a/);
    expect(treeMerge([{ a: 1 }, {}], [{ b: 2 }, {}])).toEqual([{ a: 1, b: 2 }, {}]);
    expect(treeMerge({ a: 1, b: {}, c: {} }, { a: {}, b: {}, c: 2 })).toEqual({ a: 1, b: {}, c: 2 });
    expect(() => treeMerge({}, [])).toThrow(/cannot merge/);
    expect(treeMerge({ a: 1 }, { a: 2 }, (x: number, y: number) => x + y)).toEqual({ a: 3 });
    const mod1 = new nn.Sequential(new nn.Linear(2, 2));
    const mod2 = new nn.Sequential(new nn.Linear(2, 2));
    const merged = treeMerge({ layers: [mod1.parameters()] }, { layers: [null, mod2.parameters()] });
    const whole = new nn.Sequential(mod1, mod2);
    expect(treeFlatten(merged).map(([k]) => k)).toEqual(treeFlatten(whole.parameters()).map(([k]) => k));
  });

  it('is also mx.nn.utils, and differs from core treeFlatten', () => {
    expect(mx.nn.utils.treeFlatten).toBe(treeFlatten);
    expect(mx.treeFlatten({ a: mx.ones([1]) })[0].length).toBe(1);
  });
});
