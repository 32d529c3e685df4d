/**
 * Issue 15: deep and cyclic trees. Every walk of a tree (core's tree functions, eval, the
 * transforms, compile, mx.utils) refuses a cycle and nesting deeper than `maxTreeDepth` with an
 * Error naming the function called and the path, instead of overflowing the stack.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { mx } from './helpers/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

/** `n` JS arrays nested around `leaf`: [[[leaf]]] for n = 3. */
function nested(n: number, leaf: unknown): unknown {
  let x = leaf;
  for (let i = 0; i < n; i++) x = [x];
  return x;
}

/** Runs f, which must throw an ordinary Error (not a stack overflow) whose message matches. */
function throwsClean(f: () => unknown, message: RegExp): void {
  let error: unknown = null;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error, 'expected an Error').toBeInstanceOf(Error);
  expect(error).not.toBeInstanceOf(RangeError);
  expect((error as Error).message).toMatch(message);
}

const first = (t: unknown): mx.Array => mx.treeLeaves(t)[0]!;
const loss = (t: unknown): mx.Array => mx.sum(mx.square(first(t)));

describe('deep nesting', () => {
  const max = mx.maxTreeDepth;

  it('the documented bound is 1000 containers (Python recursion limit)', () => {
    expect(max).toBe(1000);
  });

  it('mx.array reads nested JS arrays up to the bound and refuses deeper ones with an Error', () => {
    const a = mx.array(nested(max, 5) as number[]);
    expect(a.ndim).toBe(max);
    expect(a.tolist()).toEqual(nested(max, 5));
    expect(a.item()).toBe(5);
    throwsClean(() => mx.array(nested(max + 1, 5) as number[]), /^array: the nested JS array nests deeper than 1000 levels/);
    throwsClean(() => mx.array(nested(10_000, 5) as number[]), /nests deeper than 1000 levels/);
  });

  // In a child process: without the check, reading the shape never ends and V8 aborts the process.
  it('mx.array refuses a nested JS array that contains itself', async () => {
    const script = `
      import * as mx from 'mlx-ts';
      const a = [1];
      a[0] = a;
      const b = [[1], [2]];
      b[1][0] = b;
      const out = [];
      for (const x of [a, b]) {
        try { mx.array(x); out.push('no error'); } catch (e) { out.push(e.constructor.name + ': ' + e.message); }
      }
      console.log(JSON.stringify(out));
    `;
    const { stdout } = await run(process.execPath, ['--max-old-space-size=256', '--input-type=module', '-e', script], { cwd: root, timeout: 60_000 });
    const [a, b] = JSON.parse(stdout.trim().split('\n').pop()!) as string[];
    expect(a).toMatch(/^Error: array: the nested JS array contains itself at depth 1 \(a cycle\)/);
    // Not on the first-element chain: the per-element check meets it where the shape says numbers go.
    expect(b).toMatch(/^Error: array: /);
  }, 120_000);

  it('tree functions accept the bound and refuse deeper trees, naming the path', () => {
    const ok = nested(max, mx.array(1));
    expect(mx.treeLeaves(ok).length).toBe(1);
    const [leaves, def] = mx.treeFlatten(ok);
    expect(mx.treeLeaves(mx.treeUnflatten(def, leaves)).length).toBe(1);
    expect(mx.treeNumLeaves(def)).toBe(1);
    expect(mx.treeLeaves(mx.treeMap((x: mx.Array) => mx.add(x, 1), ok))[0]!.item()).toBe(2);
    const deep = nested(100_000, mx.array(1));
    throwsClean(() => mx.treeLeaves(deep), /^treeLeaves: the tree nests deeper than the 1000 containers a tree may have, at \[0\]\[0\]/);
    throwsClean(() => mx.treeFlatten(deep), /^treeFlatten: .*nests deeper than the 1000 containers/);
    throwsClean(() => mx.treeMap((x: mx.Array) => x, deep), /^treeMap: .*nests deeper/);
    throwsClean(() => mx.treeLeaves(nested(max + 1, mx.array(1))), /\(1000 levels\)$/);
  });

  it('transforms, eval and compile refuse a 10^4-deep argument tree with an Error', () => {
    const deep = nested(10_000, mx.array(2));
    throwsClean(() => mx.grad(loss)(deep), /^grad: the tree nests deeper than the 1000 containers/);
    throwsClean(() => mx.valueAndGrad(loss)(deep), /^valueAndGrad: .*nests deeper/);
    throwsClean(() => mx.vmap(first)(nested(10_000, mx.ones([2]))), /^vmap: .*nests deeper/);
    throwsClean(() => mx.compile(first)(deep), /^compile: .*nests deeper/);
    throwsClean(() => mx.eval(deep), /^eval: .*nests deeper than the 1000 containers a tree may have, at argument 0\[0\]/);
    throwsClean(() => mx.utils.treeMap((x: unknown) => x, nested(10_000, 1)), /^treeMap: .*nests deeper/);
    throwsClean(() => mx.utils.treeFlatten(nested(10_000, 1)), /^treeFlatten: .*nests deeper/);
  });

  it('grad works on a tree at the bound', () => {
    const g = mx.grad((t: unknown) => loss(t))(nested(max - 1, mx.array(3)));
    expect(first(g).item()).toBe(6);
  });
});

describe('cycles', () => {
  type Cyclic = { a: mx.Array; self?: Cyclic; t?: Cyclic };
  const cyclic = (): Cyclic => {
    const t: Cyclic = { a: mx.array(1) };
    t.self = t;
    return t;
  };

  it('every walk says the tree contains a cycle, and where', () => {
    const t = cyclic();
    const at = (fn: string, path: string) => new RegExp(`^${fn}: the tree contains a cycle at ${path.replace(/[.[\]]/g, '\\$&')} `);
    throwsClean(() => mx.treeFlatten(t), at('treeFlatten', '.self'));
    throwsClean(() => mx.treeLeaves(t), at('treeLeaves', '.self'));
    throwsClean(() => mx.treeMap((x: mx.Array) => x, t), at('treeMap', '.self'));
    throwsClean(() => mx.treeMap((x: mx.Array) => x, [t]), at('treeMap', '[0].self'));
    throwsClean(() => mx.compile((x: { a: mx.Array }) => x.a)(t), at('compile', '[0].self'));
    throwsClean(() => mx.grad((x: { a: mx.Array }) => mx.sum(x.a))(t), at('grad', '.self'));
    throwsClean(() => mx.vmap((x: Cyclic) => x.a)({ a: mx.ones([2]), t }), /^vmap: the tree contains a cycle at \[0\]\.t\.self/);
    throwsClean(() => mx.eval(t), at('eval', 'argument 0.self'));
    throwsClean(() => mx.eval(mx.array(1), [t]), at('eval', 'argument 1[0].self'));
    throwsClean(() => mx.utils.treeMap((x: unknown) => x, t), at('treeMap', '.self'));
    throwsClean(() => mx.utils.treeFlatten(t), at('treeFlatten', '.self'));
  });

  it('compile refuses a cyclic inputs state tree', () => {
    const state = cyclic();
    throwsClean(() => mx.compile(() => mx.array(1), { inputs: state }), /^compile: the tree contains a cycle at \.self/);
  });

  it('a tree-node instance that holds itself is a cycle too', () => {
    class Node implements mx.TreeNodeObject {
      w = mx.ones([2]);
      child: unknown = null;
      [mx.treeNodeKeys](): readonly string[] {
        return ['w', 'child'];
      }
    }
    const n = new Node();
    n.child = { inner: n };
    throwsClean(() => mx.treeLeaves(n), /^treeLeaves: the tree contains a cycle at \.child\.inner/);
    throwsClean(() => mx.eval(n), /^eval: the tree contains a cycle at argument 0\.child\.inner/);
  });

  it('a container shared by two branches (no cycle) is walked twice', () => {
    const shared = [mx.array(1), mx.array(2)];
    const t = { p: shared, q: shared };
    expect(mx.treeLeaves(t).length).toBe(4);
    expect(mx.treeMap((x: mx.Array) => mx.add(x, 1), t)).toEqual(expect.objectContaining({ p: expect.any(Array), q: expect.any(Array) }));
    mx.eval(t);
    const g = mx.grad((x: typeof t) => mx.add(mx.sum(x.p[0]!), mx.sum(x.q[1]!)))(t);
    expect(mx.treeLeaves(g).map((a) => a.item())).toEqual([1, 0, 0, 1]);
  });
});

describe('treeMap arguments', () => {
  it('refuses a first argument that is not a function, saying what was given', () => {
    throwsClean(() => mx.treeMap(5 as never, [mx.array(1)]), /^treeMap: expected a function first \(treeMap\(fn, tree, \.\.\.rest\)\), got a number \(5\)/);
    throwsClean(() => mx.treeMap([mx.array(1)] as never, (x: unknown) => x), /got a JS array of length 1/);
  });

  it("further trees must match down to the first tree's leaves and are passed whole beyond", () => {
    const out = mx.treeMap(
      (x: mx.Array, y: unknown) => (typeof y === 'object' ? mx.add(x, 10) : mx.add(x, y as number)),
      { a: [mx.array(1)], b: mx.array(2) },
      { a: [3], b: { deep: 1 } },
    );
    expect(mx.treeLeaves(out).map((a) => a.item())).toEqual([4, 12]);
    throwsClean(
      () => mx.treeMap((x: mx.Array) => x, { a: [mx.array(1)] }, { a: [] }),
      /^treeMap: trees differ at \.a: a JS array of length 1 and a JS array \[\]/,
    );
  });
});
