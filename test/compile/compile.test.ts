/**
 * mx.compile: behaviour (signatures, cache, state, transforms, shapeless) and structure (CSE,
 * fusion, dot export). Runs on the reference backend with its `compiled` kernel (helpers.ts).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assertAllClose } from '@mlx-ts/testing';
import { inspectCompiled } from '../../packages/transforms/src/compile/inspect.js';
import { mx, useFusedReference } from './helpers.js';

type A = mx.Array;

beforeAll(() => useFusedReference());
afterAll(() => mx.useBackend(null));

const close = (a: A, b: A, what = 'compiled vs eager') => assertAllClose(a, b, { what });

function nodesOf(g: { vals: readonly { kind: string; prim?: string; params?: unknown }[] }, prim: string): number {
  return g.vals.filter((v) => v.kind === 'node' && v.prim === prim).length;
}

describe('compile: results and the cache', () => {
  it('returns what f returns, for trees of arrays', () => {
    const f = (p: { a: A; b: [A, A] }, s: number) => ({ sum: mx.add(p.a, mx.multiply(p.b[0], s)), prod: [mx.exp(p.b[1]), mx.negative(p.a)] });
    const cf = mx.compile(f);
    const p = { a: mx.array([1, 2, 3]), b: [mx.array([4, 5, 6]), mx.array([0.5, 1, 2])] as [A, A] };
    const got = cf(p, 2);
    const want = f(p, 2);
    close(got.sum, want.sum);
    close(got.prod[0]!, want.prod[0]!);
    close(got.prod[1]!, want.prod[1]!);
  });

  it('a cache hit does not retrace; a new shape, dtype, structure or static value does', () => {
    let traces = 0;
    const cf = mx.compile((x: A, k: number) => {
      traces++;
      return mx.multiply(mx.exp(x), k);
    });
    const x = mx.array([1, 2, 3]);
    cf(x, 2);
    cf(mx.array([4, 5, 6]), 2);
    cf(x, 2);
    expect(traces).toBe(1);
    expect(cf.traceCount).toBe(1);
    cf(x, 3);
    expect(traces).toBe(2);
    cf(mx.array([1, 2]), 2);
    expect(traces).toBe(3);
    cf(mx.array([1, 2, 3], mx.float16), 2);
    expect(traces).toBe(4);
    cf(x, 2);
    expect(traces).toBe(4);
    expect(cf(x, 3).tolist()).toEqual(mx.multiply(mx.exp(x), 3).tolist());
  });

  it('the cache is bounded (LRU) and can be cleared', () => {
    const prev = mx.setCompileCacheSize(2);
    try {
      let traces = 0;
      const cf = mx.compile((x: A) => {
        traces++;
        return mx.square(x);
      });
      const a = mx.ones([1]),
        b = mx.ones([2]),
        c = mx.ones([3]);
      cf(a);
      cf(b);
      cf(a); // a is now the most recent
      cf(c); // evicts b
      expect(cf.cacheSize).toBe(2);
      expect(traces).toBe(3);
      cf(a);
      expect(traces).toBe(3);
      cf(b);
      expect(traces).toBe(4);
      cf.clearCache();
      cf(b);
      expect(traces).toBe(5);
      mx.clearCompileCache();
      cf(b);
      expect(traces).toBe(6);
      // A loop over many shapes keeps at most the bound.
      for (let n = 1; n <= 20; n++) cf(mx.ones([n]));
      expect(cf.cacheSize).toBe(2);
    } finally {
      mx.setCompileCacheSize(prev);
    }
  });

  it('disableCompile / enableCompile', () => {
    let calls = 0;
    const cf = mx.compile((x: A) => {
      calls++;
      return mx.add(x, 1);
    });
    const x = mx.array([1, 2]);
    cf(x);
    cf(x);
    expect(calls).toBe(1);
    mx.disableCompile();
    try {
      expect(mx.isCompileEnabled()).toBe(false);
      expect(cf(x).tolist()).toEqual([2, 3]);
      cf(x);
      expect(calls).toBe(3);
    } finally {
      mx.enableCompile();
    }
    cf(x);
    expect(calls).toBe(3);
  });

  it('MLX_DISABLE_COMPILE=1 disables compile', async () => {
    vi.stubEnv('MLX_DISABLE_COMPILE', '1');
    vi.resetModules();
    try {
      const fresh = await import('../../packages/transforms/src/compile/cache.js');
      expect(fresh.isCompileEnabled()).toBe(false);
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });

  it('arrays captured by closure are constants of the trace', () => {
    let w = mx.array([1, 2, 3]);
    const cf = mx.compile((x: A) => mx.multiply(x, w));
    const x = mx.array([1, 1, 1]);
    expect(cf(x).tolist()).toEqual([1, 2, 3]);
    w = mx.array([10, 20, 30]);
    expect(cf(x).tolist()).toEqual([1, 2, 3]); // as MLX: the captured value is baked in
    cf.clearCache();
    expect(cf(x).tolist()).toEqual([10, 20, 30]);
  });

  it('returns an input or a constant unchanged, and outputs that coincide', () => {
    const c = mx.array([7, 8]);
    const cf = mx.compile((x: A) => [x, c, mx.add(x, 1), mx.add(x, 1)]);
    const x = mx.array([1, 2]);
    const [a, b, y, z] = cf(x) as A[];
    expect(a).toBe(x);
    expect(b!.tolist()).toEqual([7, 8]);
    expect(y!.tolist()).toEqual([2, 3]);
    expect(z!.tolist()).toEqual([2, 3]);
  });

  it('positional and options forms; errors', () => {
    const state = [mx.array(1)];
    const cf = mx.compile(
      (x: A) => {
        state[0] = mx.add(state[0]!, x);
        return state[0];
      },
      state,
      state,
    );
    cf(mx.array(2));
    cf(mx.array(3));
    expect(state[0]!.item()).toBe(6);
    expect(() => mx.compile(3 as never)).toThrow(/compile: expected a function/);
    expect(() => mx.compile((x: A) => x, mx.array(1) as never)).toThrow(/compile: inputs must be a JS array or plain object/);
    expect(() => mx.compile(() => 3 as never)()).toThrow(/compile: the function must return arrays/);
    const ev = mx.compile((x: A) => mx.array(x.item() + 1));
    expect(() => ev(mx.array(1))).toThrow(/cannot evaluate an array traced by compile/);
  });
});

describe('compile: state in and out', () => {
  it('a compiled SGD step updates the model and matches eager', () => {
    const loss = (p: { w: A; b: A }, x: A, y: A) => mx.mean(mx.square(mx.subtract(mx.add(mx.matmul(x, p.w), p.b), y)));
    const makeModel = () => ({ w: mx.zeros([3, 1]), b: mx.zeros([1]) });
    const x = mx.array([
      [1, 2, 3],
      [0, 1, 0],
      [2, 0, 1],
      [1, 1, 1],
    ]);
    const y = mx.array([[1], [2], [3], [4]]);
    const lr = 0.05;
    const stepOf = (model: { w: A; b: A }) => (xb: A, yb: A) => {
      const [l, g] = mx.valueAndGrad(loss)(model, xb, yb) as [A, { w: A; b: A }];
      model.w = mx.subtract(model.w, mx.multiply(g.w, lr));
      model.b = mx.subtract(model.b, mx.multiply(g.b, lr));
      return l;
    };
    const eagerModel = makeModel();
    const eagerStep = stepOf(eagerModel);
    const model = makeModel();
    let traces = 0;
    const inner = stepOf(model);
    const step = mx.compile(
      (xb: A, yb: A) => {
        traces++;
        return inner(xb, yb);
      },
      { inputs: model, outputs: model },
    );
    for (let i = 0; i < 5; i++) {
      const le = eagerStep(x, y);
      const lc = step(x, y);
      close(lc, le, `loss at step ${i}`);
      close(model.w, eagerModel.w, `w at step ${i}`);
      close(model.b, eagerModel.b, `b at step ${i}`);
    }
    expect(traces).toBe(1);
  });

  it('the random state passed in and out advances every call', () => {
    const draw = () => mx.random.uniform({ shape: [4] });
    const cf = mx.compile(draw, { inputs: mx.random.state, outputs: mx.random.state });
    mx.random.seed(7);
    const eager = [draw().tolist(), draw().tolist(), draw().tolist()];
    mx.random.seed(7);
    const got = [cf().tolist(), cf().tolist(), cf().tolist()];
    expect(got).toEqual(eager);
    expect(got[0]).not.toEqual(got[1]);
    expect(cf.traceCount).toBe(1);
  });
});

describe('compile: composition with transforms', () => {
  const f = (x: A, y: A) => mx.sum(mx.multiply(mx.sin(mx.multiply(x, y)), mx.exp(mx.negative(mx.square(x)))));
  const x = mx.array([0.1, -0.7, 1.3, 2.0]);
  const y = mx.array([1.5, 0.3, -0.2, 0.9]);

  it('grad(compile(f)) and compile(grad(f))', () => {
    const want = mx.grad(f, { argnums: [0, 1] })(x, y) as A[];
    const a = mx.grad(mx.compile(f), { argnums: [0, 1] })(x, y) as A[];
    const b = mx.compile(mx.grad(f, { argnums: [0, 1] }))(x, y) as A[];
    want.forEach((w, i) => {
      close(a[i]!, w, 'grad(compile(f))');
      close(b[i]!, w, 'compile(grad(f))');
    });
    // second order, through both
    const g2 = (z: A) => mx.grad(mx.compile((u: A) => mx.sum(mx.multiply(mx.sin(u), u))))(z);
    close(mx.compile(mx.grad((z: A) => mx.sum(g2(z))))(x), mx.grad((z: A) => mx.sum(mx.grad((u: A) => mx.sum(mx.multiply(mx.sin(u), u)))(z)))(x));
  });

  it('vmap(compile(f)) and compile(vmap(f))', () => {
    const g = (a: A, b: A) => mx.add(mx.multiply(mx.exp(a), b), 1);
    const xs = mx.reshape(mx.arange(12, mx.float32), [3, 4]);
    const ys = mx.array([1, 2, 3, 4]);
    const want = mx.vmap(g, [0, null])(xs, ys);
    close(mx.vmap(mx.compile(g), [0, null])(xs, ys), want, 'vmap(compile(g))');
    close(mx.compile(mx.vmap(g, [0, null]))(xs, ys), want, 'compile(vmap(g))');
    close(
      mx.vmap(mx.compile(g), [1, 0], 1)(mx.transpose(xs), mx.stack([ys, ys, ys])),
      mx.transpose(mx.vmap(g, [1, 0])(mx.transpose(xs), mx.stack([ys, ys, ys]))),
    );
  });

  it('jvp(compile(f)) and compile(jvp)', () => {
    const t: [A, A] = [mx.array([1, 0, 0.5, -1]), mx.array([0.2, 0.1, 0, 1])];
    const [, want] = mx.jvp(f, [x, y], t);
    const [, got] = mx.jvp(mx.compile(f), [x, y], t);
    close(got[0]!, want[0]!, 'jvp(compile(f))');
    const cj = mx.compile((a: A, b: A, ta: A, tb: A) => (mx.jvp(f, [a, b], [ta, tb]) as [A[], A[]])[1][0]!);
    close(cj(x, y, t[0]!, t[1]!), want[0]!, 'compile(jvp(f))');
  });

  it('compile(compile(f)) and a compiled function closing over an outer tracer', () => {
    const inner = mx.compile(f);
    const outer = mx.compile((a: A, b: A) => mx.multiply(inner(a, b), 2));
    close(outer(x, y), mx.multiply(f(x, y), 2));
    // grad through a compiled function that captures the differentiated variable by closure
    const h = (a: A) => mx.compile((c: A) => mx.sum(mx.multiply(mx.sin(a), c)))(y);
    close(mx.grad(h)(x), mx.multiply(mx.cos(x), y));
  });

  it("the rules of the compiled primitive (inline, then the ops' rules)", () => {
    const prog: mx.CompiledParams = {
      nInputs: 2,
      name: 'test',
      instrs: [
        { op: 'constant', dtype: mx.float32, args: [], value: 2 },
        { op: 'multiply', dtype: mx.float32, args: [0, 2] },
        { op: 'sin', dtype: mx.float32, args: [3] },
        { op: 'multiply', dtype: mx.float32, args: [4, 1] },
        { op: 'greater', dtype: mx.bool, args: [0, 1] },
        { op: 'where', dtype: mx.float32, args: [6, 5, 0] },
      ],
    };
    const fused = (a: A, b: A) => mx.node('compiled', [a, b], prog);
    const plain = (a: A, b: A) => mx.where(mx.greater(a, b), mx.multiply(mx.sin(mx.multiply(a, 2)), b), a);
    close(fused(x, y), plain(x, y), 'value');
    const gf = mx.grad((a: A, b: A) => mx.sum(fused(a, b)), { argnums: [0, 1] })(x, y) as A[];
    const gp = mx.grad((a: A, b: A) => mx.sum(plain(a, b)), { argnums: [0, 1] })(x, y) as A[];
    gp.forEach((g, i) => close(gf[i]!, g, `vjp ${i}`));
    const tf = (mx.jvp(fused, [x, y], [y, x]) as [A[], A[]])[1][0]!;
    const tp = (mx.jvp(plain, [x, y], [y, x]) as [A[], A[]])[1][0]!;
    close(tf, tp, 'jvp');
    const xs = mx.reshape(mx.arange(8, mx.float32), [2, 4]);
    close(mx.vmap(fused, [0, null])(xs, y), mx.vmap(plain, [0, null])(xs, y), 'vmap');
    close(mx.vmap(fused, [1, 0])(mx.transpose(xs), xs), mx.vmap(plain, [1, 0])(mx.transpose(xs), xs), 'vmap axes');
  });
});

describe('compile: structure', () => {
  it('CSE merges exp(a) + exp(a) into one exp', () => {
    const f = (a: A) => mx.add(mx.exp(a), mx.exp(a));
    const r = inspectCompiled(f, mx.array([1, 2, 3]))!;
    expect(nodesOf(r.graph, 'exp')).toBe(1);
    expect(r.stats.mergedNodes).toBe(1);
    const fused = r.fused.vals.filter((v) => v.kind === 'node');
    expect(fused.length).toBe(1);
    const p = (fused[0] as { params: mx.CompiledParams }).params;
    expect(p.instrs.filter((i) => i.op === 'exp').length).toBe(1);
    expect(
      mx
        .compile(f)(mx.array([0, 1]))
        .tolist(),
    ).toEqual(f(mx.array([0, 1])).tolist());
  });

  it('a chain of 5 elementwise ops becomes one kernel', () => {
    const f = (x: A) => mx.tanh(mx.sqrt(mx.abs(mx.sin(mx.exp(x)))));
    const r = inspectCompiled(f, mx.array([0.5, 1, 2]))!;
    const nodes = r.fused.vals.filter((v) => v.kind === 'node');
    expect(nodes.length).toBe(1);
    expect(nodes[0]!.kind === 'node' && nodes[0]!.prim).toBe('compiled');
    expect((nodes[0] as { params: mx.CompiledParams }).params.instrs.map((i) => i.op)).toEqual(['exp', 'sin', 'abs', 'sqrt', 'tanh']);
    expect(r.stats.kernels).toBe(1);
    close(mx.compile(f)(mx.array([0.5, 1, 2])), f(mx.array([0.5, 1, 2])));
  });

  it('fuses across broadcasts of inputs and scalar constants; materializes values used elsewhere', () => {
    const f = (x: A, b: A) => {
      const y = mx.add(mx.multiply(mx.exp(x), b), 1); // b: [4] broadcast to [3, 4]; 1 a constant
      return [mx.sum(y, 1), mx.negative(mx.square(y))];
    };
    const x = mx.reshape(mx.arange(12, mx.float32), [3, 4]);
    const b = mx.array([1, 2, 3, 4]);
    const r = inspectCompiled(f, x, b)!;
    const compiled = r.fused.vals.filter((v) => v.kind === 'node' && v.prim === 'compiled') as { params: mx.CompiledParams }[];
    expect(compiled.length).toBe(2); // exp*b+1 (feeds sum and square), then negative(square(.))
    expect(compiled[0]!.params.instrs.map((i) => i.op)).toEqual(['constant', 'exp', 'multiply', 'add']);
    const [s, n] = mx.compile(f)(x, b) as A[];
    const [s0, n0] = f(x, b) as A[];
    close(s!, s0!);
    close(n!, n0!);
  });

  it('drops no-ops and merges equal constants', () => {
    const f = (x: A) => mx.add(mx.multiply(mx.astype(mx.reshape(x, [3]), mx.float32), 2), mx.multiply(x, 2));
    const r = inspectCompiled(f, mx.array([1, 2, 3]))!;
    expect(nodesOf(r.graph, 'reshape') + nodesOf(r.graph, 'astype')).toBe(0);
    expect(r.graph.vals.filter((v) => v.kind === 'const').length).toBe(1);
    expect(nodesOf(r.graph, 'multiply')).toBe(1);
  });

  it('exportToDot shows the fused kernels', () => {
    const dot = mx.exportToDot((x: A) => mx.add(mx.multiply(mx.exp(x), x), 1), mx.array([1, 2]));
    expect(dot).toMatch(/^digraph/);
    expect(dot).toContain('compiled: exp_multiply_add');
    expect(dot).toContain('exp(r0)');
    const cf = mx.compile((x: A) => mx.sum(mx.exp(x)));
    expect(mx.exportToDot(cf, mx.array([1, 2]))).toContain('sum');
  });

  it('prints programs', () => {
    const p: mx.CompiledParams = {
      nInputs: 1,
      name: 't',
      instrs: [
        { op: 'constant', dtype: mx.float32, args: [], value: 1.5 },
        { op: 'add', dtype: mx.float32, args: [0, 1] },
      ],
    };
    expect(mx.programToString(p)).toBe('r1:float32 = 1.5\nr2:float32 = add(r0, r1)');
  });

  it('does not fuse where the backend has no compiled kernel', () => {
    const reference = mx.getBackendByName('reference');
    const ran: string[] = [];
    mx.registerBackend({
      ...reference,
      name: 'reference-unfused',
      priority: -2,
      supports: (p: string) => p !== 'compiled' && reference.supports(p),
      execute: (steps) => (ran.push(...steps.map((st) => st.prim)), reference.execute(steps)),
    });
    mx.useBackend('reference-unfused');
    try {
      const f = (x: A) => mx.tanh(mx.exp(x));
      const cf = mx.compile(f);
      close(cf(mx.array([1, 2])), f(mx.array([1, 2])));
      expect(ran).toContain('tanh');
      expect(ran).not.toContain('compiled');
    } finally {
      mx.useBackend('reference-fused');
    }
  });
});

describe('compile: shapeless', () => {
  it('reuses the trace for new shapes of the same rank', () => {
    let traces = 0;
    const f = (x: A, y: A) => {
      traces++;
      return mx.add(mx.multiply(mx.exp(x), y), 1);
    };
    const cf = mx.compile(f, { shapeless: true });
    for (const [m, n] of [
      [5, 7],
      [9, 11],
      [13, 17],
    ] as const) {
      const x = mx.random.normal([m, n], { key: mx.random.key(m) });
      const y = mx.random.normal([n], { key: mx.random.key(n) });
      close(cf(x, y), f(x, y));
    }
    // The first call traces twice: once, and once more at other shapes to verify the shape model.
    expect(traces).toBe(2 + 3);
    expect(cf.traceCount).toBe(2);
    cf(mx.ones([5, 7, 2]), mx.ones([2])); // new rank: retraces
    expect(cf.traceCount).toBe(4);
  });

  it('reductions, matmul with a captured weight, flattening reshapes', () => {
    const w = mx.reshape(mx.arange(12, mx.float32), [4, 3]);
    let traces = 0;
    const f = (x: A) => {
      traces++;
      const h = mx.tanh(mx.matmul(x, w)); // [b, 3]
      const flat = mx.reshape(h, [h.shape[0]! * h.shape[1]!]);
      return [mx.sum(h, 1), flat, mx.max(x, 0)];
    };
    const cf = mx.compile(f, { shapeless: true });
    for (const b of [5, 9, 13]) {
      const x = mx.random.normal([b, 4], { key: mx.random.key(b) });
      const got = cf(x) as A[];
      const want = f(x) as A[];
      got.forEach((g, i) => close(g, want[i]!, `output ${i} at b=${b}`));
    }
    expect(cf.traceCount).toBe(2);
  });

  it('never replays a shape-dependent graph with stale shapes', () => {
    const cases: [string, (x: A) => A][] = [
      ['mean', (x) => mx.mean(x, 1)],
      ['var', (x) => mx.var(x, 0, false, 1)],
      ['split reshape', (x) => mx.reshape(x, [2, (x.shape[0]! * x.shape[1]!) / 2])],
      ['slice to the end', (x) => mx.index(x, '1:')],
      ['slice from the end', (x) => mx.index(x, ':', ':-1')],
      ['zeros of the shape', (x) => mx.add(mx.zeros(x.shape), 1)],
      ['scale by 1/sqrt(d)', (x) => mx.multiply(x, 1 / Math.sqrt(x.shape[1]!))],
      ['arange of a size', (x) => mx.add(x, mx.arange(x.shape[1]!))],
    ];
    for (const [name, f] of cases) {
      const cf = mx.compile(f, { shapeless: true });
      for (const [m, n] of [
        [6, 10],
        [10, 14],
        [6, 22],
      ] as const) {
        const x = mx.random.normal([m, n], { key: mx.random.key(m * n) });
        close(cf(x), f(x), `${name} at [${m},${n}]`);
      }
    }
  });

  it('random state in and out, with draws shaped like the input', () => {
    const dropout = (x: A) => mx.multiply(x, mx.random.bernoulli(0.5, x.shape));
    const cf = mx.compile(dropout, { inputs: mx.random.state, outputs: mx.random.state, shapeless: true });
    const xs = [mx.ones([4, 6]), mx.ones([4, 6]), mx.ones([8, 6]), mx.ones([4, 6])];
    mx.random.seed(3);
    const eager = xs.map((x) => dropout(x).tolist());
    mx.random.seed(3);
    expect(xs.map((x) => cf(x).tolist())).toEqual(eager);
  });

  it('input dims of size 1 are not symbolic (broadcasting stays right)', () => {
    const f = (x: A, y: A) => mx.add(x, y);
    const cf = mx.compile(f, { shapeless: true });
    close(cf(mx.ones([3, 1]), mx.ones([3, 4])), f(mx.ones([3, 1]), mx.ones([3, 4])));
    const x = mx.reshape(mx.arange(15, mx.float32), [3, 5]);
    close(cf(x, mx.ones([3, 5])), f(x, mx.ones([3, 5])));
  });
});
