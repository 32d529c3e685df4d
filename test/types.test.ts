/**
 * Types users see (checked by `pnpm typecheck`, which CI runs; the runtime part only makes the
 * file a test): the transforms keep the user's function types (gradients typed like the
 * differentiated arguments, outputs like the function's), treeMap maps leaf types, item() is a number.
 * Each `@ts-expect-error` would fail the typecheck if the types regressed to `any`.
 */
import { expectTypeOf, it } from 'vitest';
import * as mx from 'mlx-ts';

type Params = { w: mx.Array; b: mx.Array };
const loss = (p: Params, x: mx.Array) => mx.sum(mx.add(mx.multiply(p.w, x), p.b));
/** Holds code that must (or, under `@ts-expect-error`, must not) typecheck, without running it. */
const typeOnly = (_code: () => unknown): void => {};

it('grad and valueAndGrad keep the arguments types', () => {
  const p: Params = { w: mx.ones([2]), b: mx.zeros([2]) };
  const x = mx.ones([2]);
  const g = mx.grad(loss)(p, x);
  expectTypeOf(g).toEqualTypeOf<Params>();
  // @ts-expect-error a misspelt parameter is a compile error
  typeOnly(() => g.w1);
  expectTypeOf(mx.grad(loss, 1)(p, x)).toEqualTypeOf<mx.Array>();
  expectTypeOf(mx.grad(loss, [0, 1])(p, x)).toEqualTypeOf<[Params, mx.Array]>();
  expectTypeOf(mx.grad(loss, { argnums: 1 })(p, x)).toEqualTypeOf<mx.Array>();
  const [value, grads] = mx.valueAndGrad(loss)(p, x);
  expectTypeOf(value).toEqualTypeOf<mx.Array>();
  expectTypeOf(grads).toEqualTypeOf<Params>();
});

it('vjp and jvp type primals, cotangents and tangents like the arguments and outputs', () => {
  const p: Params = { w: mx.ones([2]), b: mx.zeros([2]) };
  const x = mx.ones([2]);
  const [outs, vjps] = mx.vjp(loss, [p, x], [mx.array(1)]);
  expectTypeOf(outs).toEqualTypeOf<[mx.Array]>();
  expectTypeOf(vjps).toEqualTypeOf<[p: Params, x: mx.Array]>();
  // @ts-expect-error a misspelt parameter is a compile error
  typeOnly(() => vjps[0].w1);
  // @ts-expect-error the primals are the arguments, in order
  typeOnly(() => mx.vjp(loss, [x, p], [mx.array(1)]));
  const tree = (q: Params) => ({ y: mx.multiply(q.w, q.b), z: [q.w] as [mx.Array] });
  const [treeOuts, treeVjps] = mx.vjp(tree, [p], { y: x, z: [x] });
  expectTypeOf(treeOuts).toEqualTypeOf<{ y: mx.Array; z: [mx.Array] }>();
  expectTypeOf(treeVjps).toEqualTypeOf<[q: Params]>();
  // @ts-expect-error the cotangents have the outputs' structure
  typeOnly(() => mx.vjp(tree, [p], { y: x }));
  const [jOuts, jvps] = mx.jvp(tree, [p], [p]);
  expectTypeOf(jOuts).toEqualTypeOf<{ y: mx.Array; z: [mx.Array] }>();
  expectTypeOf(jvps).toEqualTypeOf<{ y: mx.Array; z: [mx.Array] }>();
  expectTypeOf(mx.jvp(loss, [p, x], [p, x])).toEqualTypeOf<[[mx.Array], [mx.Array]]>();
  // An op's ArrayInput parameter has Array tangents and cotangents.
  expectTypeOf(mx.vjp(mx.exp, [mx.ones([2])], [mx.ones([2])])[1][0]).toEqualTypeOf<mx.Array>();
  // @ts-expect-error the tangents of arrays are arrays
  typeOnly(() => mx.jvp(mx.exp, [mx.ones([2])], [2]));
  // @ts-expect-error one tangent per primal
  typeOnly(() => mx.jvp(loss, [p, x], [p]));
});

it('vmap keeps the signature and types inAxes and outAxes', () => {
  const f = (p: Params, x: mx.Array, scale: number) => ({ y: mx.multiply(mx.add(p.w, x), scale) });
  const vf = mx.vmap(f, [{ w: 0, b: null }, 0, null], { y: 1 });
  expectTypeOf(vf).toEqualTypeOf<(p: Params, x: mx.Array, scale: number) => { y: mx.Array }>();
  expectTypeOf(mx.vmap(f, { inAxes: [0, 1, null], outAxes: 0 })).toEqualTypeOf<(p: Params, x: mx.Array, scale: number) => { y: mx.Array }>();
  // @ts-expect-error a number argument has no axis to map
  typeOnly(() => mx.vmap(f, [0, 0, 0]));
  // @ts-expect-error one spec per argument
  typeOnly(() => mx.vmap(f, [0, 0]));
  // @ts-expect-error the spec of an object is a number, null or an object with its keys
  typeOnly(() => mx.vmap(f, [{ w: 0, c: 0 }, 0, null]));
  // @ts-expect-error outAxes follow the outputs
  typeOnly(() => mx.vmap(f, 0, { z: 0 }));
  // @ts-expect-error inAxes are numbers
  typeOnly(() => mx.vmap(f, '0'));
});

it('jacrev, jacfwd and hessian nest the arguments structure in the outputs', () => {
  const f = (p: Params, x: mx.Array) => ({ s: loss(p, x), v: mx.multiply(p.w, x) });
  const p: Params = { w: mx.ones([2]), b: mx.zeros([2]) };
  const x = mx.ones([2]);
  expectTypeOf(mx.jacrev(f)(p, x)).toEqualTypeOf<{ s: Params; v: Params }>();
  expectTypeOf(mx.jacfwd(f, 1)(p, x)).toEqualTypeOf<{ s: mx.Array; v: mx.Array }>();
  expectTypeOf(mx.jacrev(f, [0, 1])(p, x)).toEqualTypeOf<{ s: [Params, mx.Array]; v: [Params, mx.Array] }>();
  expectTypeOf(mx.hessian(loss)(p, x)).toEqualTypeOf<{ w: Params; b: Params }>();
  expectTypeOf(mx.hessian(loss, 1)(p, x)).toEqualTypeOf<mx.Array>();
  // An op's ArrayInput parameter is differentiated as an Array.
  expectTypeOf(mx.jacrev(mx.exp)(x)).toEqualTypeOf<mx.Array>();
  // @ts-expect-error a misspelt key is a compile error
  typeOnly(() => mx.jacrev(f)(p, x).s.w1);
});

it('compile and checkpoint return the function type; customFunction types its rules', () => {
  const step = (p: Params, x: mx.Array) => loss(p, x);
  const compiled = mx.compile(step, { inputs: [mx.random.state], shapeless: true });
  expectTypeOf<Parameters<typeof compiled>>().toEqualTypeOf<[p: Params, x: mx.Array]>();
  expectTypeOf(compiled).returns.toEqualTypeOf<mx.Array>();
  expectTypeOf(compiled.traceCount).toEqualTypeOf<number>();
  expectTypeOf(mx.compile(step, [mx.random.state], [mx.random.state], true)).toMatchTypeOf<typeof step>();
  // @ts-expect-error shapeless is a boolean
  typeOnly(() => mx.compile(step, undefined, undefined, 'yes'));
  expectTypeOf(mx.checkpoint(step)).toEqualTypeOf<typeof step>();

  const f = mx.customFunction((x: mx.Array, p: Params): [mx.Array, mx.Array] => [mx.multiply(x, p.w), p.b]);
  expectTypeOf(f).parameters.toEqualTypeOf<[x: mx.Array, p: Params]>();
  f.vjp(([x, p], [cx, cb], outputs) => {
    expectTypeOf(x).toEqualTypeOf<mx.Array>();
    expectTypeOf(p).toEqualTypeOf<Params>();
    expectTypeOf(cb).toEqualTypeOf<mx.Array>();
    expectTypeOf(outputs).toEqualTypeOf<[mx.Array, mx.Array]>();
    return [mx.multiply(cx, p.w), { w: mx.multiply(cx, x), b: null }];
  });
  // @ts-expect-error the VJP gives one cotangent tree per argument, shaped like it
  typeOnly(() => f.vjp(([x]) => [x, { w: x, c: x }]));
  f.jvp(([x, p], [dx, dp]) => [mx.add(dx, dp.w), dp.b]);
  // @ts-expect-error the JVP gives the outputs' tangents
  typeOnly(() => f.jvp(([x]) => x));
  f.vmap(([x, p], [ax, ap]) => {
    expectTypeOf(ax).toEqualTypeOf<number | null>();
    expectTypeOf(ap).toEqualTypeOf<{ w: number | null; b: number | null }>();
    return [[x, p.b], 0];
  });
  // One argument: the rules get it alone.
  const g = mx.customFunction((x: mx.Array) => mx.exp(x));
  g.vjp((x, c, out) => {
    expectTypeOf(x).toEqualTypeOf<mx.Array>();
    return mx.multiply(c, out);
  });
  g.vmap((x, ax) => {
    expectTypeOf(ax).toEqualTypeOf<number | null>();
    return [mx.exp(x), ax];
  });
});

it('treeMap maps the leaves types', () => {
  const p: Params = { w: mx.ones([2]), b: mx.zeros([2]) };
  const shapes = mx.treeMap((a) => a.shape, p);
  expectTypeOf(shapes).toEqualTypeOf<{ w: readonly number[]; b: readonly number[] }>();
  const sums = mx.treeMap((a, b) => mx.add(a, b), p, p);
  expectTypeOf(sums).toEqualTypeOf<Params>();
  const mixed = mx.treeMap((a) => a.ndim, { xs: [p.w, p.b], n: 3, t: [p.w, 'x'] as [mx.Array, string] });
  expectTypeOf(mixed).toEqualTypeOf<{ xs: number[]; n: number; t: [number, string] }>();
  // Another tree deeper than the first: fn gets its whole subtree there.
  mx.treeMap(
    (a, sub) => {
      expectTypeOf(sub).toEqualTypeOf<{ m: mx.Array }>();
      return a;
    },
    { w: p.w },
    { w: { m: p.w } },
  );
  // A Module gives a plain object of its members: no methods, no flags.
  const layer = mx.treeMap((a) => a.ndim, new mx.nn.Linear(2, 3));
  expectTypeOf(layer).toEqualTypeOf<{ weight: number; bias?: number }>();
  // @ts-expect-error a member that is a boolean flag is not in the tree
  typeOnly(() => layer.training);
  // @ts-expect-error a misspelt key is a compile error
  typeOnly(() => sums.w1);
  // @ts-expect-error the leaves of a tree of arrays are arrays
  typeOnly(() => mx.treeMap((a: number) => a, p));
});

it('item() is a number, itemBool() a boolean', () => {
  let total = 0;
  total += mx.sum(mx.ones([2])).item();
  expectTypeOf(mx.array(1).item()).toEqualTypeOf<number>();
  expectTypeOf(mx.array(true).itemBool()).toEqualTypeOf<boolean>();
  // @ts-expect-error a number is not a boolean
  const b: boolean = mx.array(true).item();
  void [total, b];
});
