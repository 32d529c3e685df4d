/** tree.ts: class instances that implement `treeNodeKeys` are object nodes of every tree walk. */
import { describe, expect, test } from 'vitest';
import * as mx from 'mlx-ts/internals';

/** A minimal tree-node class, standing for nn's Module without depending on it. */
class Holder implements mx.TreeNodeObject {
  label = 'not a member';
  constructor(
    public w: mx.Array,
    public inner: { b: mx.Array },
  ) {}
  [mx.treeNodeKeys](): readonly string[] {
    return ['w', 'inner'];
  }
}

describe('tree-node classes', () => {
  test('flatten as object nodes of their keys; rebuilding gives plain objects', () => {
    const h = new Holder(mx.ones([2]), { b: mx.zeros([1]) });
    const [leaves, def] = mx.treeFlatten({ h, n: 1 });
    // Identity, not deep equality (which iterates Arrays).
    expect(leaves.length).toBe(2);
    expect(leaves[0]).toBe(h.w);
    expect(leaves[1]).toBe(h.inner.b);
    expect(mx.treeDefString(def)).toBe('{h: {w: *, inner: {b: *}}, n: 1}');
    const back = mx.treeUnflatten<{ h: Record<string, unknown> }>(def, leaves);
    expect(back.h instanceof Holder).toBe(false);
    expect(Object.keys(back.h)).toEqual(['w', 'inner']);
    expect(mx.isTreeNode(h)).toBe(true);
    expect(mx.objectNodeKeys(h)).toEqual(['w', 'inner']);
    expect(mx.objectNodeKeys(new Map())).toBeNull();
  });

  test('treeMap matches them against plain objects with the same keys, either side', () => {
    const h = new Holder(mx.ones([2]), { b: mx.zeros([1]) });
    const plain = { w: mx.ones([2]), inner: { b: mx.ones([1]) } };
    const sum = mx.treeMap((a: mx.Array, b: mx.Array) => mx.add(a, b), h, plain);
    expect(sum.inner.b.tolist()).toEqual([1]);
    mx.treeMap((a: mx.Array, b: mx.Array) => mx.add(a, b), plain, h);
    expect(() => mx.treeMap((a: mx.Array) => a, h, { w: h.w })).toThrow(/trees differ at the root: an object with keys \[w, inner\]/);
    expect(mx.treeBroadcastPrefix(0, h)).toEqual([0, 0]);
  });

  test('eval, grad and compile state see through them; compile writes outputs into the instance', () => {
    const h = new Holder(mx.add(mx.ones([2]), 1), { b: mx.zeros([1]) });
    mx.eval(h);
    expect(h.w.isEvaluated).toBe(true);
    const g = mx.grad((t: { w: mx.Array }) => mx.sum(mx.square(t.w)))(h) as { w: mx.Array };
    expect(g.w.tolist()).toEqual([4, 4]);
    const step = mx.compile(
      () => {
        h.w = mx.multiply(h.w, 2);
        return mx.sum(h.w);
      },
      { inputs: [h], outputs: [h] },
    );
    expect(step().item()).toBe(8);
    expect(step().item()).toBe(16);
    expect(h.w.tolist()).toEqual([8, 8]);
    expect(h.label).toBe('not a member');
  });
});
