import { it } from 'vitest';
import { mx, useFusedReference } from './helpers.js';
import { buildShapeModel } from '../../packages/transforms/src/compile/shapes.js';
import { inspectCompiled } from '../../packages/transforms/src/compile/index.js';
it('stats', () => {
  useFusedReference();
  const cases: [string, (...x: mx.Array[]) => unknown, mx.Array[]][] = [
    ['ew', (x, y) => mx.add(mx.multiply(mx.exp(x), y), 1), [mx.ones([5, 7]), mx.ones([7])]],
    ['sum', (x) => mx.sum(mx.exp(x), 1), [mx.ones([5, 7])]],
    ['mean', (x) => mx.mean(x, 1), [mx.ones([5, 7])]],
    ['softmax', (x) => mx.softmax(x, -1), [mx.ones([5, 7])]],
    ['mlp', (x, w) => mx.maximum(mx.matmul(x, w), 0), [mx.ones([5, 7]), mx.ones([7, 3])]],
    ['grad', (x, w) => mx.grad((ww: mx.Array) => mx.sum(mx.square(mx.matmul(x, ww))))(w), [mx.ones([5, 7]), mx.ones([7, 3])]],
    ['index', (x) => mx.index(x, ':', 0), [mx.ones([5, 7])]],
    ['vmap', (x) => mx.vmap((r: mx.Array) => mx.sum(r))(x), [mx.ones([5, 7])]],
  ];
  for (const [name, f, args] of cases) {
    const r = inspectCompiled(f as any, ...args)!;
    const m = buildShapeModel(r.graph);
    const cf = mx.compile(f as any, { shapeless: true });
    cf(...args);
    const n0 = cf.traceCount;
    cf(...args.map((a, j) => mx.ones(a.shape.map((d, i) => (i === 0 && j === 0 ? d + 3 : d)))));
    console.log(name, m ? 'polymorphic' : 'REFUSED', n0, cf.traceCount, r.graph.vals.filter(v => v.kind === 'node').map(v => (v as any).prim).join(','));
  }
});
