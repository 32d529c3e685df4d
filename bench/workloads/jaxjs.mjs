// jax-js on its wasm device (init('cpu', 'wasm'), defaultDevice('wasm')). jax-js counts references:
// every function consumes its array arguments, so inputs kept across runs are passed as `x.ref`.
// Results forced with blockUntilReady (and dataSync for the check, which also consumes).
import { gen, oneHot, pkgVersion } from '../lib/common.mjs';

export const name = 'jax-js';
let jax, np, nn;

export async function init() {
  jax = await import('@jax-js/jax');
  np = jax.numpy;
  nn = jax.nn;
  const devices = await jax.init('cpu', 'wasm');
  if (!devices.includes('wasm')) throw new Error(`jax-js: the wasm device did not start (have ${devices.join(', ')})`);
  jax.defaultDevice('wasm');
  const threaded = typeof SharedArrayBuffer !== 'undefined' && typeof Worker !== 'undefined';
  const notes = [threaded ? 'wasm worker pool available' : 'wasm runs single-threaded in Node (no global Worker)'];
  const version = await pkgVersion('@jax-js/jax');
  return { version, backend: 'wasm', notes };
}

const f32 = (data, shape) => np.array(data).reshape(shape);

/** Forces `y` (an Array or a tree of them); returns the host data of `first` when checking, else disposes everything. */
async function finish(check, first, ...rest) {
  const all = [first, ...rest].flatMap((t) => jax.tree.leaves(t));
  for (const a of all) await a.blockUntilReady();
  let out;
  if (check) {
    const d = first.dataSync();
    out = first.ndim === 0 ? d[0] : d.slice();
    for (const a of all.slice(1)) a.dispose();
  } else for (const a of all) a.dispose();
  return out;
}

export function setup(w) {
  const p = w.params;
  switch (w.kind) {
    case 'matmul':
      return [
        {
          library: 'jax-js',
          make: () => {
            const [m, k, n] = [p.m ?? p.n, p.k ?? p.n, p.n];
            const a = f32(gen(m * k, 1), [m, k]);
            const b = f32(gen(k * n, 2), [k, n]);
            return (check) => finish(check, np.matmul(a.ref, b.ref));
          },
        },
      ];
    case 'expmul': {
      const f = (x) => np.exp(x.ref).mul(x).add(1);
      const make = (fn) => () => {
        const x = f32(gen(p.n, 3), [p.n]);
        return (check) => finish(check, fn(x.ref));
      };
      return [
        { library: 'jax-js', make: make(f) },
        { library: 'jax-js jit', make: () => make(jax.jit(f))() },
      ];
    }
    case 'sum':
      return [
        {
          library: 'jax-js',
          make: () => {
            const x = f32(gen(p.n, 4, 1, 0.5), [p.n]);
            return (check) => finish(check, np.sum(x.ref));
          },
        },
      ];
    case 'softmax':
      return [
        {
          library: 'jax-js',
          make: () => {
            const x = f32(gen(p.rows * p.cols, 5, 8), [p.rows, p.cols]);
            return (check) => finish(check, nn.softmax(x.ref, -1));
          },
        },
      ];
    case 'mlp': {
      const lossFn = (w, x, y) => {
        const h = nn.relu(np.matmul(x, w.w1).add(w.b1));
        const z = np.matmul(h, w.w2).add(w.b2);
        return nn.logSoftmax(z, -1).mul(y).sum(-1).mean().neg();
      };
      const step = (w, x, y) => {
        const [loss, g] = jax.valueAndGrad(lossFn)(jax.tree.ref(w), x, y);
        const next = {};
        for (const k of Object.keys(w)) next[k] = w[k].sub(g[k].mul(p.lr));
        return [loss, next];
      };
      const make = (fn) => () => {
        const x = f32(gen(p.batch * p.din, 6), [p.batch, p.din]);
        const y = f32(oneHot(p.batch, p.dout), [p.batch, p.dout]);
        let params = {
          w1: f32(gen(p.din * p.hidden, 7, 0.1), [p.din, p.hidden]),
          b1: np.zeros([p.hidden]),
          w2: f32(gen(p.hidden * p.dout, 8, 0.3), [p.hidden, p.dout]),
          b2: np.zeros([p.dout]),
        };
        return async (check) => {
          const [loss, next] = fn(params, x.ref, y.ref);
          params = next;
          for (const a of jax.tree.leaves(next)) await a.blockUntilReady();
          return finish(check, loss);
        };
      };
      return [
        { library: 'jax-js jit', make: () => make(jax.jit(step))() },
        { library: 'jax-js', make: make(step) },
      ];
    }
    case 'conv2d': {
      // jax-js convolves NCHW inputs with [cout, cin, k, k] kernels: the definition's arrays transposed.
      const conv = (a, b) =>
        jax.lax.convGeneralDilated(
          a,
          b,
          [1, 1],
          [
            [p.pad, p.pad],
            [p.pad, p.pad],
          ],
        );
      const nchw = (data, shape) => f32(data, shape).transpose([0, 3, 1, 2]);
      const make = (backward) => () => {
        const x = nchw(gen(p.n * p.h * p.w * p.cin, 12), [p.n, p.h, p.w, p.cin]);
        const wt = nchw(gen(p.cout * p.k * p.k * p.cin, 13, 0.1), [p.cout, p.k, p.k, p.cin]);
        const g = nchw(gen(p.n * p.h * p.w * p.cout, 14), [p.n, p.h, p.w, p.cout]);
        if (!backward) {
          return (check) => finish(check, check ? conv(x.ref, wt.ref).transpose([0, 2, 3, 1]) : conv(x.ref, wt.ref));
        }
        const grads = jax.grad((a, b, c) => np.sum(conv(a, b).mul(c)), { argnums: [0, 1] });
        return (check) => {
          const [gx, gw] = grads(x.ref, wt.ref, g.ref);
          if (!check) return finish(false, gx, gw);
          return finish(true, np.concatenate([gx.transpose([0, 2, 3, 1]).reshape([-1]), gw.transpose([0, 2, 3, 1]).reshape([-1])]));
        };
      };
      return [{ library: 'jax-js', make: make(p.backward) }];
    }
    case 'pergrad': {
      const loss = (w, x, y) => np.square(np.sum(x.mul(w)).sub(y)).mul(0.5);
      const make = (fn) => () => {
        const wv = f32(gen(p.features, 9), [p.features]);
        const X = f32(gen(p.batch * p.features, 10), [p.batch, p.features]);
        const Y = f32(gen(p.batch, 11), [p.batch]);
        return (check) => finish(check, fn(wv.ref, X.ref, Y.ref));
      };
      return [
        { library: 'jax-js', make: make(jax.vmap(jax.grad(loss), [null, 0, 0])) },
        { library: 'jax-js jit', make: () => make(jax.jit(jax.vmap(jax.grad(loss), [null, 0, 0])))() },
      ];
    }
    case 'dispatch':
      return [
        {
          library: 'jax-js',
          make: () => (check) => {
            let x = np.array(new Float32Array([1.5])).reshape([]);
            for (let i = 0; i < p.ops / 2; i++) x = x.mul(0.999).add(0.001);
            return finish(check, x);
          },
        },
      ];
  }
  return null;
}
