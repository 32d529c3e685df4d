/**
 * The behaviours of MLX's autograd tests (python/tests/test_autograd.py) in mlx-ts form, plus
 * nesting (grad of grad of grad, jvp of grad), pytrees, errors, eval inside grad, and memory.
 */
import { describe, expect, it } from 'vitest';
import * as mx from 'mlx-ts';
import { $tracer } from 'mlx-ts/internals';

const A = (v: mx.NestedList | number, dt?: mx.Dtype) => mx.array(v as never, dt);
const close = (a: mx.Array | number, b: mx.NestedList, tol = 1e-5) => {
  const got = typeof a === 'number' ? a : a.tolist();
  const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [Number(x)]);
  const g = flat(got),
    e = flat(b);
  expect(g.length).toBe(e.length);
  g.forEach((v, i) => expect(Math.abs(v - e[i]!), `element ${i}: ${v} vs ${e[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e[i]!))));
};
const sq = (x: mx.Array) => mx.multiply(x, x);

describe('jvp and vjp (MLX test_jvp, test_vjp)', () => {
  it('jvp', () => {
    const [out, dout] = mx.jvp((x: mx.Array) => mx.multiply(2, x), [A(1)], [A(2)]);
    expect(out[0].item()).toBe(2);
    expect(dout[0].item()).toBe(4);
    const [, dxy] = mx.jvp((x: mx.Array, y: mx.Array) => mx.multiply(x, y), [A(4), A(2)], [A(3), A(2)]);
    expect(dxy[0].item()).toBe(4 * 2 + 2 * 3);
    const f3 = (x: mx.Array, y: mx.Array, z: mx.Array): [mx.Array, mx.Array] => [mx.multiply(x, y), mx.multiply(y, z)];
    const [, d3] = mx.jvp(f3, [A(2), A(4), A(6)], [A(1), A(3), A(1)]);
    expect(d3.length).toBe(2);
    expect(d3[0].item()).toBe(4 * 1 + 2 * 3);
    expect(d3[1].item()).toBe(4 * 1 + 6 * 3);
  });

  it('vjp', () => {
    const [out, dout] = mx.vjp((x: mx.Array) => mx.multiply(2, x), [A(1)], [A(2)]);
    expect(out[0].item()).toBe(2);
    expect(dout[0].item()).toBe(4);
    const [, dxy] = mx.vjp((x: mx.Array, y: mx.Array) => mx.multiply(x, y), [A(4), A(2)], [A(3)]);
    expect(dxy[0].item()).toBe(6);
    expect(dxy[1].item()).toBe(12);
    const f3 = (x: mx.Array, y: mx.Array, z: mx.Array) => [mx.multiply(x, y), mx.multiply(y, z)];
    const [, d3] = mx.vjp(f3, [A(2), A(4), A(6)], [A(2), A(3)]);
    expect(d3.map((d: mx.Array) => d.item())).toEqual([8, 4 + 18, 12]);
  });

  it('trees of primals, outputs, tangents and cotangents', () => {
    const f = (p: { w: mx.Array; b: mx.Array[] }) => ({ y: mx.add(mx.multiply(p.w, p.b[0]!), p.b[1]!), z: [sq(p.w)] });
    const p = { w: A([1, 2]), b: [A([3, 4]), A([5, 6])] };
    const [out, vjps] = mx.vjp(f, [p], { y: A([1, 1]), z: [A([1, 0])] });
    close(out.y, [8, 14]);
    close(vjps[0].w, [3 + 2, 4]);
    close(vjps[0].b[0]!, [1, 2]);
    close(vjps[0].b[1]!, [1, 1]);
    const [, jvps] = mx.jvp(f, [p], [{ w: A([1, 0]), b: [A([0, 1]), A([0, 0])] }]);
    close(jvps.y, [3, 2]);
    close(jvps.z[0]!, [2, 0]);
  });

  it('eval and item inside the function keep the graph (MLX test_eval_in_grad)', () => {
    const y = A([2, 2]);
    let [, vjps] = mx.vjp(
      (x: mx.Array) => {
        const z = mx.add(x, y);
        mx.less(z, 1).tolist();
        return mx.power(z, 2);
      },
      [A([1])],
      [A([1, 1])],
    );
    expect(vjps[0].item()).toBe(12);
    [, vjps] = mx.vjp(
      (x: mx.Array) => {
        const z = mx.add(x, A([1, 1]));
        mx.eval(z);
        return mx.power(z, 2);
      },
      [A([1])],
      [A([1, 1])],
    );
    expect(vjps[0].item()).toBe(8);
    const g = mx.grad((x: mx.Array) => {
      const h = mx.sin(x);
      expect(typeof h.item()).toBe('number');
      return mx.multiply(h, h);
    })(A(0.7));
    close(g, Math.sin(2 * 0.7));
  });
});

describe('grad and valueAndGrad (MLX test_grad, test_value_and_grad)', () => {
  it('x*x: value, first, second and third derivatives', () => {
    const [v, g] = mx.valueAndGrad(sq)(A(0.5));
    expect(v.item()).toBe(0.25);
    expect(g.item()).toBe(1);
    expect(mx.grad(sq)(A(0.5)).item()).toBe(1);
    expect(mx.grad(mx.grad(sq))(A(0.5)).item()).toBe(2);
    expect(
      mx
        .grad(mx.grad(mx.grad(sq)))(A(0.5))
        .item(),
    ).toBe(0);
  });

  it("a transposed matmul operand's gradient is one matmul in the operand's layout (x @ w.T, as nn.Linear)", () => {
    const x = mx.reshape(mx.arange(6, mx.float32), [3, 2]);
    const w = mx.reshape(mx.arange(8, mx.float32), [4, 2]);
    const c = mx.reshape(mx.arange(12, mx.float32), [3, 4]);
    const g = mx.grad((w: mx.Array) => mx.sum(mx.multiply(mx.matmul(x, mx.transpose(w)), c)))(w);
    // Built as cᵀ x, not as the transposed view of xᵀ c, so an elementwise update reads it contiguously.
    expect(g.primitive).toBe('matmul');
    expect(g.tolist()).toEqual(mx.matmul(mx.transpose(c), x).tolist());
    // Any other permutation stays a transpose of the cotangent.
    const g3 = mx.grad((v: mx.Array) => mx.sum(mx.multiply(mx.transpose(v, [1, 0, 2]), mx.ones([2, 3, 4]))))(mx.ones([3, 2, 4]));
    expect(g3.shape).toEqual([3, 2, 4]);
  });

  it('deeper nesting: derivatives of sin to the 4th order', () => {
    let f: (x: mx.Array) => mx.Array = mx.sin;
    const x = A(0.3, mx.float64);
    const expected = [Math.cos(0.3), -Math.sin(0.3), -Math.cos(0.3), Math.sin(0.3)];
    for (const e of expected) {
      f = mx.grad(f);
      close(f(x), e, 1e-12);
    }
  });

  it('argnums: positional and options forms, single and several', () => {
    const f = (x: mx.Array, y: mx.Array) => mx.multiply(x, mx.square(y));
    const x = A(3),
      y = A(2);
    expect(mx.grad(f)(x, y).item()).toBe(4);
    expect(mx.grad(f, 1)(x, y).item()).toBe(12);
    expect(mx.grad(f, { argnums: 1 })(x, y).item()).toBe(12);
    const gs = mx.grad(f, [0, 1])(x, y);
    expect(gs.map((g: mx.Array) => g.item())).toEqual([4, 12]);
    const [v, gs2] = mx.valueAndGrad(f, { argnums: [1, 0] })(x, y);
    expect(v.item()).toBe(12);
    expect(gs2.map((g: mx.Array) => g.item())).toEqual([12, 4]);
    // The same array passed twice gets one gradient per position.
    expect(
      mx
        .grad(f, [0, 1])(x, x)
        .map((g: mx.Array) => g.item()),
    ).toEqual([9, 18]);
  });

  it('auxiliary outputs (MLX test_auxiliary_values)', () => {
    const fun = (x: mx.Array, y: mx.Array) => {
      const l = mx.sum(mx.multiply(x, y));
      const extra = { loss: l, foo: mx.add(mx.square(y), mx.square(x)), bar: [1, 2, 3, y, x] };
      return [l, extra] as const;
    };
    const x = A([1, 2, 3]),
      y = A([4, 5, 6]);
    const [[l, extra], dx] = mx.valueAndGrad(fun)(x, y);
    expect(l.item()).toBe(32);
    expect(extra.loss.item()).toBe(32);
    close(extra.foo, [17, 29, 45]);
    expect(extra.bar.slice(0, 3)).toEqual([1, 2, 3]);
    close(extra.bar[3]!, [4, 5, 6]);
    close(dx, [4, 5, 6]);
    // grad takes only a scalar: [loss, aux] is valueAndGrad's form (MLX raises too).
    expect(() => mx.grad(fun, 1)(x, y)).toThrow(/grad: the function must return a scalar array \(for \[loss, \.\.\.aux\], use valueAndGrad\)/);
    expect(() => mx.grad((a: mx.Array) => mx.reshape(mx.sum(a), [1, 1]))(x)).toThrow(/a 0-d array.*shape \[1,1\]/);
  });

  it('pytrees of parameters: gradients mirror the structure', () => {
    const loss = (params: { w: mx.Array; layers: { b: mx.Array }[] }, x: mx.Array) =>
      mx.sum(mx.add(mx.multiply(params.w, x), mx.add(params.layers[0]!.b, mx.square(params.layers[1]!.b))));
    const params = { w: A([1, 2]), layers: [{ b: A([0.5, 0.5]) }, { b: A([1, -1]) }] };
    const g = mx.grad(loss)(params, A([3, 4]));
    expect(Object.keys(g)).toEqual(['w', 'layers']);
    close(g.w, [3, 4]);
    close(g.layers[0]!.b, [1, 1]);
    close(g.layers[1]!.b, [2, -2]);
    // Non-differentiated arguments may hold anything.
    const h = mx.grad((x: mx.Array, cfg: { scale: number; name: string }) => mx.multiply(x, cfg.scale))(A(1), { scale: 3, name: 'n' });
    expect(h.item()).toBe(3);
  });

  it('captured arrays are constants (MLX test_captured)', () => {
    const a = A(5);
    expect(
      mx
        .grad((x: mx.Array) => mx.add(a, x))(a)
        .item(),
    ).toBe(1);
    expect(
      mx
        .grad((_x: mx.Array) => mx.add(a, a))(a)
        .item(),
    ).toBe(0);
    expect(
      mx
        .grad((x: mx.Array) => mx.add(x, x))(a)
        .item(),
    ).toBe(2);
  });

  it('state updated inside grad (MLX test_update_state)', () => {
    let state = mx.zeros([1]);
    const fn = (y: mx.Array, x: mx.Array) => {
      const z = mx.multiply(y, x);
      state = mx.add(state, z);
      return mx.sum(z);
    };
    mx.grad(fn)(A([1]), mx.ones([1]));
    mx.eval(state);
    expect(state.item()).toBe(1);
  });

  it('stopGradient (MLX test_stop_gradient)', () => {
    const w = mx.ones([4, 4]);
    const f = (x: mx.Array, y: mx.Array) => mx.sum(mx.add(mx.stopGradient(mx.matmul(x, w)), y));
    const [dx, dy] = mx.grad(f, [0, 1])(mx.ones([4, 4]), mx.ones([4, 4]));
    close(dx, new Array(16).fill(0));
    close(dy, new Array(16).fill(1));
  });

  it('power at zero (MLX test_power_grad)', () => {
    expect(
      mx
        .grad((x: mx.Array) => mx.power(x, 2))(A(0))
        .item(),
    ).toBe(0);
    expect(
      mx
        .grad((x: mx.Array) => mx.power(x, 1.5))(A(0))
        .item(),
    ).toBe(0);
    close(mx.grad((x: mx.Array) => mx.power(x, 2))(A(2)), 4);
  });

  it('cumprod with zeros (MLX test_cumprod_grad)', () => {
    const brute = (y: number[], incl: boolean, rev: boolean) => {
      // d/dy_k of sum_i prod over the scan window of i, by direct expansion.
      const n = y.length;
      const g = new Array(n).fill(0);
      for (let i = 0; i < n; i++) {
        const win: number[] = [];
        for (let j = 0; j < n; j++) {
          const inWin = rev ? (incl ? j >= i : j > i) : incl ? j <= i : j < i;
          if (inWin) win.push(j);
        }
        for (const k of win) g[k] += win.filter((j) => j !== k).reduce((p, j) => p * y[j]!, 1);
      }
      return g;
    };
    for (const y of [
      [2, 1, 2, 2, 3],
      [2, 0, 2, 2, 3],
      [2, 0, 2, 0, 3],
      [0, 0, 0, 1, 2],
    ]) {
      for (const inclusive of [true, false]) {
        for (const reverse of [false, true]) {
          const g = mx.grad((x: mx.Array) => mx.sum(mx.cumprod(x, { inclusive, reverse })))(A(y));
          close(g, brute(y, inclusive, reverse));
        }
      }
    }
    expect(
      mx
        .grad((x: mx.Array) => mx.sum(mx.cumprod(x)))(A([2, 1, 2, 2, 3]))
        .tolist(),
    ).toEqual([20, 38, 18, 16, 8]);
  });

  it('scatter through indexing (MLX test_scatter_vjp)', () => {
    const fun = (x: mx.Array, idx: mx.Array) => mx.sum(mx.at(x, idx).set(2));
    close(mx.grad(fun)(A([1, 2, 3]), A([1], mx.int32)), [1, 0, 1]);
    const fmax = (x: mx.Array, idx: mx.Array) => mx.sum(mx.at(mx.zerosLike(x), idx).maximum(x));
    close(mx.grad(fmax)(A([1, 2, 3]), A([0, 1, 2], mx.int32)), [1, 1, 1]);
  });

  it('int and bool paths are constants; integer indices computed from the input too', () => {
    const f = (x: mx.Array) => mx.sum(mx.multiply(mx.astype(mx.greater(x, 0), mx.float32), x));
    close(mx.grad(f)(A([-1, 2, 3])), [0, 1, 1]);
    const g = (x: mx.Array) => mx.take(x, mx.argmax(x));
    close(mx.grad(g)(A([1, 5, 2])), [0, 1, 0]);
  });
});

describe('nesting', () => {
  it('jvp of grad: Hessian-vector products', () => {
    const f = (x: mx.Array) => mx.sum(mx.power(x, 3));
    const x = A([1, 2, 3]);
    const v = A([1, 0.5, -1]);
    const [, [hv]] = mx.jvp(mx.grad(f), [x], [v]);
    close(hv, [6 * 1 * 1, 6 * 2 * 0.5, 6 * 3 * -1]);
  });

  it('grad of a function that itself calls vjp and jvp', () => {
    // d/dx of <J(x) v, w> for f = sin: cos(x) v w -> derivative -sin(x) v w.
    const x = A(0.4, mx.float64);
    const h = (y: mx.Array) => mx.jvp(mx.sin, [y], [A(2, mx.float64)])[1][0];
    close(mx.grad(h)(x), -2 * Math.sin(0.4), 1e-12);
    const k = (y: mx.Array) => mx.vjp(mx.exp, [y], [A(3, mx.float64)])[1][0];
    close(mx.grad(k)(x), 3 * Math.exp(0.4), 1e-12);
  });

  it('grad(grad) with several arguments and a tree', () => {
    const f = (p: { a: mx.Array; b: mx.Array }) => mx.multiply(mx.square(p.a), mx.sin(p.b));
    const p = { a: A(1.5, mx.float64), b: A(0.3, mx.float64) };
    const daa = mx.grad((q: typeof p) => mx.grad(f)(q).a)(p);
    close(daa.a, 2 * Math.sin(0.3), 1e-12);
    close(daa.b, 2 * 1.5 * Math.cos(0.3), 1e-12);
  });

  it('a deep graph (iterative walks)', () => {
    const n = 5000;
    const f = (x: mx.Array) => {
      let y = x;
      for (let i = 0; i < n; i++) y = mx.multiply(y, 1.0001);
      return y;
    };
    close(mx.grad(f)(A(1, mx.float64)), Math.pow(1.0001, n), 1e-9);
  });
});

describe('jacfwd, jacrev, hessian', () => {
  const f = (x: mx.Array) => mx.multiply(mx.sin(x), mx.sum(mx.square(x)));
  const x = A([0.5, -1, 2], mx.float64);
  const expectedJ = (() => {
    const v = [0.5, -1, 2];
    const s = v.reduce((a, b) => a + b * b, 0);
    return v.map((xi, i) => v.map((xj, j) => (i === j ? Math.cos(xi) * s : 0) + Math.sin(xi) * 2 * xj));
  })();

  it('jacrev and jacfwd agree with the analytic Jacobian', () => {
    const jr = mx.jacrev(f)(x);
    const jf = mx.jacfwd(f)(x);
    expect(jr.shape).toEqual([3, 3]);
    expect(jf.shape).toEqual([3, 3]);
    close(jr, expectedJ, 1e-12);
    close(jf, expectedJ, 1e-12);
  });

  it('shapes: output [...O, ...I], trees and several argnums', () => {
    const g = (a: mx.Array, b: mx.Array) => mx.matmul(a, b);
    const a = A([
        [1, 2],
        [3, 4],
      ]),
      b = A([[1], [0]]);
    const [ja, jb] = mx.jacrev(g, [0, 1])(a, b);
    expect(ja.shape).toEqual([2, 1, 2, 2]);
    expect(jb.shape).toEqual([2, 1, 2, 1]);
    const [fa, fb] = mx.jacfwd(g, [0, 1])(a, b);
    close(fa, ja.tolist());
    close(fb, jb.tolist());
    // d(ab)_{i0}/db_{k0} = a_{ik}
    close(mx.reshape(jb, [2, 2]), [
      [1, 2],
      [3, 4],
    ]);
    const t = mx.jacrev((p: { u: mx.Array }) => ({ s: mx.sum(mx.square(p.u)) }))({ u: A([1, 2]) });
    close(t.s.u, [2, 4]);
  });

  it('several output leaves and arguments: jacrev, jacfwd and rows of grad agree; empty leaves give empty blocks', () => {
    const g = (a: mx.Array, b: mx.Array): [mx.Array, mx.Array] => [mx.multiply(mx.sin(a), b), mx.sum(mx.multiply(a, a))];
    const a = A(
        [
          [0.5, -1, 2],
          [1.5, 0.25, -0.75],
        ],
        mx.float64,
      ),
      b = A([2, -3, 0.5], mx.float64);
    const [r0, r1] = mx.jacrev(g, [0, 1])(a, b);
    const [f0, f1] = mx.jacfwd(g, [0, 1])(a, b);
    expect(r0[0].shape).toEqual([2, 3, 2, 3]);
    expect(r0[1].shape).toEqual([2, 3, 3]);
    expect(r1[0].shape).toEqual([2, 3]);
    expect(r1[1].shape).toEqual([3]);
    [
      [r0[0], f0[0]],
      [r0[1], f0[1]],
      [r1[0], f1[0]],
      [r1[1], f1[1]],
    ].forEach(([r, f]) => close(r!, f!.tolist(), 1e-12));
    // Row (i, j) of the first block is the gradient of output element (i, j).
    for (const [i, j] of [
      [0, 0],
      [1, 2],
    ] as const) {
      const [ga, gb] = mx.grad((p: mx.Array, q: mx.Array) => mx.index(g(p, q)[0]!, i, j), [0, 1])(a, b);
      close(mx.index(r0[0], i, j), ga.tolist() as number, 1e-12);
      close(mx.index(r0[1], i, j), gb.tolist() as number, 1e-12);
    }
    const e = mx.zeros([0], mx.float64);
    expect(mx.jacrev(mx.exp)(e).shape).toEqual([0, 0]);
    expect(mx.jacfwd(mx.exp)(e).shape).toEqual([0, 0]);
  });

  it('a bad argnums is reported as the error of the transform called (hessian, not its inner jacrev)', () => {
    const f = (y: mx.Array) => mx.sum(mx.square(y));
    expect(() => mx.hessian(f, NaN)).toThrow(/^hessian: argnums must be integers, got a number \(NaN\)/);
    expect(() => mx.hessian(f, [0, '1'] as never)).toThrow(/^hessian: argnums must be integers, got a string \('1'\)/);
    expect(() => mx.jacfwd(f, 1.5)).toThrow(/^jacfwd: argnums must be integers, got a number \(1.5\)/);
  });

  it('hessian (forward over reverse)', () => {
    const h = mx.hessian((y: mx.Array) => mx.sum(mx.multiply(mx.power(y, 3), A([1, 2, 3], mx.float64))))(x);
    close(
      h,
      [
        [6 * 0.5, 0, 0],
        [0, 2 * 6 * -1, 0],
        [0, 0, 3 * 6 * 2],
      ],
      1e-12,
    );
    const q = (y: mx.Array) => mx.multiply(mx.prod(y), 1);
    close(
      mx.hessian(q)(A([2, 3, 5], mx.float64)),
      [
        [0, 5, 3],
        [5, 0, 2],
        [3, 2, 0],
      ],
      1e-12,
    );
  });
});

describe('customFunction (MLX test_custom_function)', () => {
  it('falls back to f, then uses the rules given', () => {
    const myExp = mx.customFunction((x: mx.Array) => mx.exp(x));
    const one = A(1);
    close(mx.grad(myExp)(one), Math.E);
    let [[ex], [dex]] = mx.jvp(myExp, [one], [one]);
    close(dex, Math.E);
    close(ex, Math.E);
    close(mx.vmap(myExp)(A([1, 2])), [Math.E, Math.exp(2)]);

    myExp.vjp((x: mx.Array, _dx: mx.Array, _ex: mx.Array) => mx.multiply(mx.onesLike(x), 42));
    close(mx.grad(myExp)(one), 42);
    [[ex], [dex]] = mx.jvp(myExp, [one], [one]);
    close(dex, Math.E);
    close(mx.vmap(myExp)(A([1, 2])), [Math.E, Math.exp(2)]);

    myExp.jvp((x: mx.Array, dx: mx.Array) => mx.multiply(mx.multiply(mx.onesLike(x), 7), dx));
    myExp.vmap((x: mx.Array, axis: number | null) => [mx.multiply(x, 3), axis]);
    close(mx.grad(myExp)(one), 42);
    [[ex], [dex]] = mx.jvp(myExp, [one], [one]);
    close(dex, 7);
    close(mx.vmap(myExp)(A([1, 2])), [3, 6]);
    // Nothing traced: just f.
    close(myExp(one), Math.E);
  });

  it('several arguments and outputs, one call of the rule, higher order through the rule', () => {
    let calls = 0;
    const f = mx.customFunction((x: mx.Array, y: mx.Array): [mx.Array, mx.Array] => [mx.multiply(mx.sin(x), y), mx.multiply(x, y)]);
    f.vjp(([x, y]: [mx.Array, mx.Array], [ca, cb]: [mx.Array, mx.Array]) => {
      calls++;
      return [mx.add(mx.multiply(ca, mx.multiply(mx.cos(x), y)), mx.multiply(cb, y)), mx.add(mx.multiply(ca, mx.sin(x)), mx.multiply(cb, x))];
    });
    const loss = (x: mx.Array, y: mx.Array) => {
      const [a, b] = f(x, y);
      return mx.add(mx.sum(a!), mx.sum(mx.multiply(b!, 2)));
    };
    const x = A(0.5, mx.float64),
      y = A(3, mx.float64);
    const [gx, gy] = mx.grad(loss, [0, 1])(x, y);
    expect(calls).toBe(1);
    close(gx, Math.cos(0.5) * 3 + 6, 1e-12);
    close(gy, Math.sin(0.5) + 1, 1e-12);
    // Second order goes through the rule's own graph.
    close(mx.grad((z: mx.Array) => mx.grad(loss)(z, y))(x), -Math.sin(0.5) * 3, 1e-12);
  });

  it('a rule can fix a derivative f gets wrong (a stable gradient clip)', () => {
    const clipGrad = mx.customFunction((x: mx.Array) => x);
    clipGrad.vjp((_x: mx.Array, g: mx.Array) => mx.clip(g, -1, 1));
    const g = mx.grad((x: mx.Array) => mx.sum(mx.multiply(clipGrad(x), A([5, 0.5, -3]))))(A([1, 1, 1]));
    close(g, [1, 0.5, -1]);
  });

  it('jvp fallback walks f; vjp fallback walks f', () => {
    const f = mx.customFunction((x: mx.Array) => mx.multiply(x, x));
    const [, [t]] = mx.jvp(f, [A(3)], [A(1)]);
    close(t, 6);
    close(mx.grad(f)(A(3)), 6);
    close(mx.grad(mx.grad(f))(A(3)), 2);
  });

  it('rule errors name the function', () => {
    const f = mx.customFunction(function twice(x: mx.Array) {
      return mx.multiply(x, 2);
    });
    f.vjp(() => [A([1, 2])]);
    expect(() => mx.grad(f)(A(1))).toThrow(/customFunction\(twice\)\.vjp.*shape/);
    expect(() => f.vjp(3 as never)).toThrow(/customFunction\(twice\)\.vjp: expected a function/);
  });
});

describe('checkpoint', () => {
  it('recomputes f in the backward pass and gives the same gradients', () => {
    let calls = 0;
    const block = (x: mx.Array, w: mx.Array) => {
      calls++;
      return mx.tanh(mx.matmul(x, w));
    };
    const x = A(
        [
          [0.1, 0.2],
          [0.3, -0.4],
        ],
        mx.float64,
      ),
      w = A(
        [
          [1, -1],
          [0.5, 2],
        ],
        mx.float64,
      );
    const plain = (x: mx.Array, w: mx.Array) => mx.sum(mx.square(block(block(x, w), w)));
    const ck = mx.checkpoint(block);
    const withCk = (x: mx.Array, w: mx.Array) => mx.sum(mx.square(ck(ck(x, w), w)));
    const [g1x, g1w] = mx.grad(plain, [0, 1])(x, w);
    calls = 0;
    const [g2x, g2w] = mx.grad(withCk, [0, 1])(x, w);
    expect(calls).toBe(4); // two forward calls, two recomputations
    close(g2x, g1x.tolist() as number[][], 1e-12);
    close(g2w, g1w.tolist() as number[][], 1e-12);
    // Higher order and forward mode through a checkpoint.
    const h1 = mx.grad((z: mx.Array) => mx.sum(mx.grad(plain)(z, w)))(x);
    const h2 = mx.grad((z: mx.Array) => mx.sum(mx.grad(withCk)(z, w)))(x);
    close(h2, h1.tolist() as number[][], 1e-10);
    const [, [j1]] = mx.jvp((z: mx.Array) => plain(z, w), [x], [mx.onesLike(x)]);
    const [, [j2]] = mx.jvp((z: mx.Array) => withCk(z, w), [x], [mx.onesLike(x)]);
    close(j2, j1.item(), 1e-12);
  });

  it('the gradient graph does not reference the forward intermediates', () => {
    let inner: mx.Array | null = null;
    const block = mx.checkpoint((x: mx.Array) => {
      const h = mx.exp(x);
      if (inner === null) inner = h;
      return mx.sin(h);
    });
    const g = mx.grad((x: mx.Array) => mx.sum(block(x)))(A([0.1, 0.2]));
    const seen = new Set<mx.Array>();
    const stack: mx.Array[] = [g];
    while (stack.length) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      stack.push(...n.inputs);
    }
    expect(inner).not.toBeNull();
    expect(seen.has(inner!)).toBe(false);
    close(
      g,
      [0.1, 0.2].map((v) => Math.cos(Math.exp(v)) * Math.exp(v)),
    );
  });
});

describe('composition with vmap', () => {
  it('vmap(grad(f)) gives per-example gradients; grad(vmap(f))', () => {
    const loss = (w: mx.Array, x: mx.Array, y: mx.Array) => mx.square(mx.subtract(mx.sum(mx.multiply(w, x)), y));
    const w = A([0.5, -1]);
    const xs = A([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
      ys = A([1, 2, 3]);
    const per = mx.vmap(mx.grad(loss), [null, 0, 0])(w, xs, ys);
    expect(per.shape).toEqual([3, 2]);
    const loop = [0, 1, 2].map(
      (i) =>
        mx
          .grad(loss)(w, mx.take(xs, i, 0), mx.take(ys, i, 0))
          .tolist() as number[],
    );
    close(per, loop);
    const total = mx.grad((v: mx.Array) => mx.sum(mx.vmap(loss, [null, 0, 0])(v, xs, ys)))(w);
    close(
      total,
      [0, 1].map((j) => loop.reduce((s, r) => s + r[j]!, 0)),
    );
  });

  it('customFunction and checkpoint under vmap', () => {
    const f = mx.customFunction((x: mx.Array) => mx.exp(x));
    f.vjp((x: mx.Array, g: mx.Array) => mx.multiply(g, mx.multiply(mx.onesLike(x), 42)));
    close(mx.vmap(mx.grad(f))(A([1, 2, 3])), [42, 42, 42]);
    const ck = mx.checkpoint((x: mx.Array) => mx.sin(mx.exp(x)));
    const xs = A([0.1, 0.2, 0.3], mx.float64);
    close(
      mx.vmap(mx.grad(ck))(xs),
      [0.1, 0.2, 0.3].map((v) => Math.cos(Math.exp(v)) * Math.exp(v)),
      1e-12,
    );
    close(
      mx.grad((v: mx.Array) => mx.sum(mx.vmap(ck)(v)))(xs),
      [0.1, 0.2, 0.3].map((v) => Math.cos(Math.exp(v)) * Math.exp(v)),
      1e-12,
    );
    // Evaluating a custom function's output while tracing.
    close(
      mx.grad((x: mx.Array) => {
        const y = ck(x);
        y.item();
        return y;
      })(A(0.1, mx.float64)),
      Math.cos(Math.exp(0.1)) * Math.exp(0.1),
      1e-12,
    );
  });
});

describe('errors name the transform', () => {
  const x = A([1, 2]);
  it('outputs that are not scalars or not arrays', () => {
    expect(() => mx.grad((v: mx.Array) => v)(x)).toThrow(/grad: .*scalar.*shape \[2\]/);
    expect(() => mx.grad((() => 3) as unknown as (v: mx.Array) => mx.Array)(x)).toThrow(/grad: the function must return a scalar array/);
    expect(() => mx.valueAndGrad((() => ({ a: 1 })) as unknown as (v: mx.Array) => mx.Array)(x)).toThrow(
      /valueAndGrad: the function must return a scalar array/,
    );
    expect(() => mx.vjp((_v: mx.Array): unknown => 3, [x], [x])).toThrow(/vjp: the function must return an array/);
  });
  it('argnums out of range, repeated, negative, malformed', () => {
    expect(() => mx.grad((a: mx.Array) => mx.sum(a), 1)(x)).toThrow(/grad: argnums 1 is out of range: the function was called with 1 argument/);
    expect(() => mx.grad((a: mx.Array) => mx.sum(a), [0, 0])).toThrow(/grad: argnums contains 0 more than once/);
    expect(() => mx.valueAndGrad((a: mx.Array) => mx.sum(a), -1)).toThrow(/valueAndGrad: argnums must be non-negative/);
    expect(() => mx.grad((a: mx.Array) => mx.sum(a), { argnum: 0 } as never)).toThrow(/grad: unknown option 'argnum'/);
    expect(() => mx.grad((a: mx.Array) => mx.sum(a), [])).toThrow(/grad: argnums is empty/);
  });
  it('non-array leaves among the differentiated arguments', () => {
    expect(() => mx.grad((p: { a: mx.Array; b: number }) => mx.sum(p.a))({ a: x, b: 3 })).toThrow(
      /grad: argument 0 must be an array or a tree of arrays to be differentiated, but holds a number \(3\) at \.b/,
    );
    expect(() => mx.grad((v: number) => A(v))(0.5 as never)).toThrow(/grad: argument 0 must be an array/);
    expect(() => mx.vjp((v: mx.Array) => v, [x, 'no'] as never, [x])).toThrow(/vjp: argument 1 must be an array/);
  });
  it('cotangents and tangents of the wrong form', () => {
    expect(() => mx.vjp((v: mx.Array) => v, [x], [A([1, 2, 3])])).toThrow(/vjp: cotangents 0 has shape \[3\], expected \[2\]/);
    expect(() => mx.vjp((v: mx.Array) => [v, v], [x], [x])).toThrow(/vjp: cotangents must match/);
    expect(() => mx.jvp((v: mx.Array) => v, [x], [] as never)).toThrow(/jvp: tangents must be a JS array with one entry per primal/);
    expect(() => mx.vjp((v: mx.Array) => v, x as never, [x])).toThrow(/vjp: primals must be a JS array/);
    expect(() => mx.grad(3 as never)).toThrow(/grad: expected a function/);
  });
});

describe('memory: nothing keeps the forward graph alive', () => {
  it('results are plain arrays after the outermost transform returns', () => {
    let hidden: mx.Array | null = null;
    const f = (w: mx.Array) => {
      const h = mx.exp(w);
      hidden = h;
      h.item(); // evaluated while tracing: keeps its inputs until the transform returns
      return mx.sum(mx.multiply(h, w));
    };
    const [v, g] = mx.valueAndGrad(f)(A([0.5]));
    expect(hidden!.inputs.length).toBe(0); // evaluated under the trace, detached once grad returned
    expect(hidden![$tracer]).toBe(false);
    mx.eval(v, g);
    expect(v.inputs.length).toBe(0);
    expect(g.inputs.length).toBe(0);
    close(g, Math.exp(0.5) * 1.5);
  });

  it('nested transforms: every array reachable from the results is settled', () => {
    const f = (x: mx.Array) => {
      const h = mx.sin(x);
      h.item();
      return mx.multiply(h, x);
    };
    const d2 = mx.grad(mx.grad(f))(A(0.3));
    const seen = new Set<mx.Array>();
    const stack: mx.Array[] = [d2];
    while (stack.length) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      expect(n[$tracer]).toBe(false);
      if (n.isEvaluated) expect(n.inputs.length).toBe(0);
      stack.push(...n.inputs);
    }
    close(d2, 2 * Math.cos(0.3) - 0.3 * Math.sin(0.3));
    expect(d2.inputs.length).toBe(0);
  });

  it('a training loop does not grow the graph', () => {
    let w = A([1, -1]);
    const x = A([0.5, 2]);
    const loss = (p: mx.Array) => mx.sum(mx.square(mx.multiply(p, x)));
    for (let i = 0; i < 20; i++) {
      const g = mx.grad(loss)(w);
      w = mx.subtract(w, mx.multiply(g, 0.1));
      mx.eval(w);
      expect(w.inputs.length).toBe(0);
      expect(w[$tracer]).toBe(false);
    }
  });
});
