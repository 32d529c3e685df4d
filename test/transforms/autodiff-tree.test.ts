/** Pytrees (core/src/tree.ts): the structure every transform uses for arguments and results. */
import { describe, expect, it } from 'vitest';
import * as mx from 'mlx-ts/internals';

// Identity, not deep equality: deep equality iterates Arrays, and a 0-d Array refuses iteration as in MLX.
function expectSameLeaves(got: readonly unknown[], want: readonly unknown[]): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(g).toBe(want[i]));
}

describe('pytrees', () => {
  const a = mx.array([1, 2]),
    b = mx.array(3),
    c = mx.array([[4]]);

  it('flatten and unflatten round-trip, keeping static leaves', () => {
    const tree = { w: a, layers: [{ b, act: 'relu', p: 0.5 }, null, [c]], n: undefined };
    const [leaves, def] = mx.treeFlatten(tree);
    expectSameLeaves(leaves, [a, b, c]);
    expect(mx.treeNumLeaves(def)).toBe(3);
    const back = mx.treeUnflatten<typeof tree>(def, leaves);
    expect(mx.treeDefString(mx.treeFlatten(back)[1])).toBe(mx.treeDefString(def));
    expectSameLeaves(mx.treeFlatten(back)[0], [a, b, c]);
    expect(back.layers[0] !== tree.layers[0]).toBe(true);
    expect(mx.treeDefString(def)).toBe('{w: *, layers: [{b: *, act: "relu", p: 0.5}, null, [*]], n: undefined}');
    expect(() => mx.treeUnflatten(def, [a, b])).toThrow(/more leaves than the 2 given/);
    expect(() => mx.treeUnflatten(def, [a, b, c, a])).toThrow(/has 3 leaves, got 4/);
  });

  it('a single array is a leaf; class instances and typed arrays are static', () => {
    const [l1, d1] = mx.treeFlatten(a);
    expectSameLeaves(l1, [a]);
    expect(d1.kind).toBe('leaf');
    const ta = new Float32Array(2);
    const [l2, d2] = mx.treeFlatten([ta, new Map()]);
    expect(l2).toEqual([]);
    expect(mx.treeUnflatten<unknown[]>(d2, [])[0]).toBe(ta);
  });

  it('isLeaf stops descent', () => {
    const [leaves, def] = mx.treeFlatten({ x: [a, b], y: [c] }, (v) => Array.isArray(v) && v.length === 1);
    expectSameLeaves(leaves, [a, b]);
    expect(mx.treeUnflatten<{ y: mx.Array[] }>(def, leaves).y[0]).toBe(c);
  });

  it('treeMap over several trees, with keys matched by name', () => {
    const t1: { p: mx.Array; q: [mx.Array, number] } = { p: a, q: [b, 7] };
    const t2 = { q: [mx.array(10), 'x'], p: mx.array([1, 1]) };
    const out = mx.treeMap((x: mx.Array, y: mx.Array) => mx.add(x, y), t1, t2);
    expect(out.p.tolist()).toEqual([2, 3]);
    expect(out.q[0].item()).toBe(13);
    expect(out.q[1]).toBe(7);
    expect(() => mx.treeMap((x: mx.Array) => x, [a, b], [a])).toThrow(/trees differ at the root/);
    expect(() => mx.treeMap((x: mx.Array) => x, { k: [a] }, { k: a })).toThrow(/trees differ at \.k/);
  });

  it('treeLeaves, treeDefEqual, cycles', () => {
    expectSameLeaves(mx.treeLeaves([a, { z: [b] }]), [a, b]);
    const d1 = mx.treeFlatten({ x: a, y: [b] })[1];
    const d2 = mx.treeFlatten({ y: [c], x: b })[1];
    const d3 = mx.treeFlatten({ x: a, y: [b, c] })[1];
    expect(mx.treeDefEqual(d1, d2)).toBe(true);
    expect(mx.treeDefEqual(d1, d3)).toBe(false);
    const cyc: unknown[] = [a];
    cyc.push(cyc);
    expect(() => mx.treeFlatten(cyc)).toThrow(/cycle/);
    // A shared (non-cyclic) subtree is fine.
    const shared = [a];
    expectSameLeaves(mx.treeLeaves([shared, shared]), [a, a]);
  });

  it('treeBroadcastPrefix expands a prefix to one value per leaf', () => {
    const tree = [{ w: a, b }, c, 5];
    expect(mx.treeBroadcastPrefix(0, tree)).toEqual([0, 0, 0]);
    expect(mx.treeBroadcastPrefix([null, 1, 0], tree)).toEqual([null, null, 1]);
    expect(mx.treeBroadcastPrefix([{ w: 1, b: null }, 0, null], tree)).toEqual([1, null, 0]);
    expect(() => mx.treeBroadcastPrefix([0, 1], tree, 'vmap: inAxes')).toThrow(
      /vmap: inAxes: a JS array of length 2 at the root does not match a JS array of length 3/,
    );
    expect(() => mx.treeBroadcastPrefix([{ w: 1 }, 0, 0], tree)).toThrow(/key 'b'/);
  });
});
