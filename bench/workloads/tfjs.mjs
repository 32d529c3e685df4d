// TensorFlow.js with its wasm backend (tf.setBackend('wasm'); in Node the .wasm files load from
// the package directory). Results forced with dataSync(); intermediates freed with tf.tidy.
import { gen, oneHot } from '../lib/common.mjs';

export const name = 'tfjs-wasm';
let tf;

export async function init() {
  tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-wasm');
  const ok = await tf.setBackend('wasm');
  await tf.ready();
  if (!ok || tf.getBackend() !== 'wasm') throw new Error(`tf.setBackend('wasm') failed (backend is ${tf.getBackend()})`);
  const env = tf.env();
  const flag = async (f) => {
    try {
      return await env.getAsync(f);
    } catch {
      return null;
    }
  };
  const simd = await flag('WASM_HAS_SIMD_SUPPORT');
  const threads = await flag('WASM_HAS_MULTITHREAD_SUPPORT');
  const notes = [`wasm SIMD ${simd ? 'on' : 'off'}, threads ${threads ? 'on' : 'off'}`];
  return { version: tf.version.tfjs, backend: 'wasm', simd, threads, notes };
}

const f32 = (data, shape) => tf.tensor(data, shape, 'float32');
const host = (t) => (t.size === 1 && t.rank === 0 ? t.dataSync()[0] : t.dataSync());

/** Runs `fn` in tf.tidy, forces its (single tensor) result with dataSync, disposes it. */
const forced = (fn) => (check) => {
  const y = tf.tidy(fn);
  const d = y.dataSync();
  const out = check ? (y.rank === 0 ? d[0] : d.slice()) : undefined;
  y.dispose();
  return out;
};

export function setup(w) {
  const p = w.params;
  switch (w.kind) {
    case 'matmul':
      return [
        {
          library: 'tfjs-wasm',
          make: () => {
            const [m, k, n] = [p.m ?? p.n, p.k ?? p.n, p.n];
            const a = f32(gen(m * k, 1), [m, k]);
            const b = f32(gen(k * n, 2), [k, n]);
            return forced(() => tf.matMul(a, b));
          },
        },
      ];
    case 'expmul':
      return [
        {
          library: 'tfjs-wasm',
          make: () => {
            const x = f32(gen(p.n, 3), [p.n]);
            return forced(() => tf.add(tf.mul(tf.exp(x), x), 1));
          },
        },
      ];
    case 'sum':
      return [
        {
          library: 'tfjs-wasm',
          make: () => {
            const x = f32(gen(p.n, 4, 1, 0.5), [p.n]);
            return forced(() => tf.sum(x));
          },
        },
      ];
    case 'softmax':
      return [
        {
          library: 'tfjs-wasm',
          make: () => {
            const x = f32(gen(p.rows * p.cols, 5, 8), [p.rows, p.cols]);
            return forced(() => tf.softmax(x, -1));
          },
        },
      ];
    case 'mlp':
      return [
        {
          library: 'tfjs-wasm',
          make: () => {
            const x = f32(gen(p.batch * p.din, 6), [p.batch, p.din]);
            const y = f32(oneHot(p.batch, p.dout), [p.batch, p.dout]);
            const w1 = tf.variable(f32(gen(p.din * p.hidden, 7, 0.1), [p.din, p.hidden]));
            const b1 = tf.variable(tf.zeros([p.hidden]));
            const w2 = tf.variable(f32(gen(p.hidden * p.dout, 8, 0.3), [p.hidden, p.dout]));
            const b2 = tf.variable(tf.zeros([p.dout]));
            const vars = [w1, b1, w2, b2];
            const lossFn = () => {
              const h = tf.relu(tf.add(tf.matMul(x, w1), b1));
              const z = tf.add(tf.matMul(h, w2), b2);
              return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(z, -1), y), -1)));
            };
            return (check) => {
              const loss = tf.tidy(() => {
                const { value, grads } = tf.variableGrads(lossFn, vars);
                for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name], p.lr)));
                return value;
              });
              const l = loss.dataSync()[0];
              for (const v of vars) v.dataSync(); // wasm runs eagerly; this only makes the forcing explicit
              loss.dispose();
              if (check) return l;
            };
          },
        },
      ];
    case 'nn-mlp':
      return [
        {
          library: 'tfjs-wasm',
          make: () => {
            const x = f32(gen(p.batch * p.din, 6), [p.batch, p.din]);
            const y = f32(oneHot(p.batch, p.dout), [p.batch, p.dout]);
            // tf.layers' dense kernels are [in, out]: mlp's w1 / w2 as they are.
            const model = tf.sequential({
              layers: [tf.layers.dense({ units: p.hidden, inputShape: [p.din], activation: 'relu' }), tf.layers.dense({ units: p.dout })],
            });
            model.setWeights([
              f32(gen(p.din * p.hidden, 7, 0.1), [p.din, p.hidden]),
              tf.zeros([p.hidden]),
              f32(gen(p.hidden * p.dout, 8, 0.3), [p.hidden, p.dout]),
              tf.zeros([p.dout]),
            ]);
            const optimizer = tf.train.adam(p.lr, 0.9, 0.999, 1e-8);
            return (check) => {
              const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x)), true);
              const l = loss.dataSync()[0];
              loss.dispose();
              if (check) return l;
            };
          },
        },
      ];
    case 'cnn':
      // As conv2d-fwd-bwd: the training step needs the weight gradient.
      if (!tf.getKernel('Conv2DBackpropFilter', 'wasm'))
        return [{ library: 'tfjs-wasm', skip: "the wasm backend has no 'Conv2DBackpropFilter' kernel (the weight gradient)" }];
      return null;
    case 'conv2d': {
      // tfjs 4.22's wasm backend registers Conv2D and Conv2DBackpropInput but not Conv2DBackpropFilter.
      if (p.backward && !tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
        return [{ library: 'tfjs-wasm', skip: "the wasm backend has no 'Conv2DBackpropFilter' kernel (the weight gradient)" }];
      }
      const make = () => {
        const x = f32(gen(p.n * p.h * p.w * p.cin, 12), [p.n, p.h, p.w, p.cin]);
        // tfjs filters are [k, k, cin, cout].
        const wt = tf.tidy(() => tf.transpose(f32(gen(p.cout * p.k * p.k * p.cin, 13, 0.1), [p.cout, p.k, p.k, p.cin]), [1, 2, 3, 0]).clone());
        const g = f32(gen(p.n * p.h * p.w * p.cout, 14), [p.n, p.h, p.w, p.cout]);
        const f = (a, b) =>
          tf.conv2d(a, b, 1, [
            [0, 0],
            [p.pad, p.pad],
            [p.pad, p.pad],
            [0, 0],
          ]);
        if (!p.backward) return forced(() => f(x, wt));
        const grads = tf.grads(f);
        return (check) => {
          const [gx, gw] = grads([x, wt], g);
          // tf.grads runs the forward pass itself; forcing both gradients forces all of it.
          const dx = gx.dataSync(),
            dw = gw.dataSync();
          let out;
          if (check) {
            const gwm = tf.tidy(() => tf.transpose(gw, [3, 0, 1, 2]));
            out = new Float32Array(dx.length + dw.length);
            out.set(dx);
            out.set(gwm.dataSync(), dx.length);
            gwm.dispose();
          }
          gx.dispose();
          gw.dispose();
          return out;
        };
      };
      return [{ library: 'tfjs-wasm', make }];
    }
    case 'pergrad':
      return [
        {
          // TensorFlow.js has no vmap: a loop of tf.grad over the batch.
          library: 'tfjs-wasm loop',
          make: () => {
            const w = f32(gen(p.features, 9), [p.features]);
            const X = f32(gen(p.batch * p.features, 10), [p.batch, p.features]);
            const Y = f32(gen(p.batch, 11), [p.batch]);
            const rows = tf.unstack(X);
            const ys = tf.unstack(Y);
            // tf.grad differentiates a one-argument function: close over each example.
            return forced(() => tf.stack(rows.map((x, i) => tf.grad((wv) => tf.mul(tf.square(tf.sub(tf.sum(tf.mul(x, wv)), ys[i])), 0.5))(w))));
          },
        },
      ];
    case 'dispatch':
      return [
        {
          library: 'tfjs-wasm',
          make: () =>
            forced(() => {
              let x = tf.scalar(1.5, 'float32');
              for (let i = 0; i < p.ops / 2; i++) {
                x = tf.mul(x, 0.999);
                x = tf.add(x, 0.001);
              }
              return x;
            }),
        },
      ];
  }
  return null;
}
