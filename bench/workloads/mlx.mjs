// mlx-ts: `import * as mx from 'mlx-ts'`, results forced with mx.eval.
import { charLmTokens, charLmWeights, gen, now, oneHot, pkgVersion } from '../lib/common.mjs';

export const name = 'mlx-ts';
let mx;
let demo; // the examples' models (digits' CNN, char-lm's CharLM) and training step (imported after mlx-ts, in init)

export async function init() {
  const warnings = [];
  const onWarning = (w) => warnings.push(w.message);
  process.on('warning', onWarning);
  mx = await import('mlx-ts');
  const [models, charLm, step] = await Promise.all([
    import('../../examples/digits/models.mjs'),
    import('../../examples/char-lm/model.mjs'),
    import('../../examples/lib/train-step.mjs'),
  ]);
  demo = { CNN: models.CNN, CharLM: charLm.CharLM, generate: charLm.generate, trainStep: step.trainStep };
  await new Promise((r) => setImmediate(r)); // let the backend warning (if any) arrive
  process.off('warning', onWarning);
  const notes = [...warnings];
  let backend = 'unknown';
  try {
    backend = mx.backendFor('cpu').name;
  } catch (e) {
    notes.push(`backendFor: ${e.message}`);
  }
  if (typeof mx.compile !== 'function') notes.push('mx.compile is not a function: compiled variants skipped');
  return {
    version: await pkgVersion('mlx-ts'),
    backend,
    compile: typeof mx.compile === 'function',
    waitForKernels: typeof mx.waitForKernels === 'function',
    notes,
  };
}

const f32 = (data, shape) => mx.reshape(mx.array(data), shape);
const host = (a) => (a.size === 1 && a.ndim === 0 ? a.item() : a.toTypedArray());
// A backend may build a compiled function's kernels in the background and switch to them once
// loaded (mx.waitForKernels resolves when all asked for are): the first call asks for them, so
// wait after it and time the steady state. `run.reset` puts back state that call moved (the MLP's
// params), so the check is still the first step's.
const compiled = (library, build) => {
  if (typeof mx.compile !== 'function') return { library, skip: 'mx.compile is not a function' };
  const make = async () => {
    const run = build();
    if (typeof mx.waitForKernels !== 'function') {
      run.note = 'no mx.waitForKernels: timed without waiting for kernels';
      return run;
    }
    await run(false);
    const t = now();
    await mx.waitForKernels();
    run.note = `waited ${(now() - t).toFixed(0)} ms in mx.waitForKernels() after the first call`;
    run.reset?.();
    return run;
  };
  return { library, make };
};

/** The MLP training step of the mlp-step workload (also run by bench/mlp-memory.mjs). */
export function mlpSetup(p, { adam = false } = {}) {
  const x = f32(gen(p.batch * p.din, 6), [p.batch, p.din]);
  const y = f32(oneHot(p.batch, p.dout), [p.batch, p.dout]);
  const weights = () => ({
    w1: f32(gen(p.din * p.hidden, 7, 0.1), [p.din, p.hidden]),
    b1: mx.zeros([p.hidden]),
    w2: f32(gen(p.hidden * p.dout, 8, 0.3), [p.hidden, p.dout]),
    b2: mx.zeros([p.dout]),
  });
  const params = () => {
    const w = weights();
    if (!adam) return w;
    const zeros = () => mx.utils.treeMap((a) => mx.zerosLike(a), w);
    return { ...w, m: zeros(), v: zeros() };
  };
  const lossFn = (w, x, y) => {
    const h = mx.maximum(mx.add(mx.matmul(x, w.w1), w.b1), 0);
    const z = mx.add(mx.matmul(h, w.w2), w.b2);
    const logp = mx.subtract(z, mx.logsumexp(z, -1, true));
    return mx.negative(mx.mean(mx.sum(mx.multiply(logp, y), -1)));
  };
  const vg = mx.valueAndGrad(lossFn);
  // `w` holds the weights, and for Adam (MLX's default: no bias correction) each weight's moments
  // `m.<name>` / `v.<name>`, so the step's state stays one tree.
  const update = adam
    ? (w, g, next) => {
        for (const k of Object.keys(g)) {
          const m = mx.add(mx.multiply(w.m[k], 0.9), mx.multiply(g[k], 0.1));
          const v = mx.add(mx.multiply(w.v[k], 0.999), mx.multiply(mx.square(g[k]), 0.001));
          next[k] = mx.subtract(w[k], mx.divide(mx.multiply(m, p.lr), mx.add(mx.sqrt(v), 1e-8)));
          next.m[k] = m;
          next.v[k] = v;
        }
      }
    : (w, g, next) => {
        for (const k of Object.keys(g)) next[k] = mx.subtract(w[k], mx.multiply(g[k], p.lr));
      };
  const step = (w, x, y) => {
    const { m, v, ...weights } = w;
    const [loss, g] = vg(weights, x, y);
    const next = adam ? { m: {}, v: {} } : {};
    update(w, g, next);
    return [loss, next];
  };
  mx.eval(x, y);
  return { x, y, params, step };
}

/** `data` [rows, cols] row-major, transposed to [cols, rows] on the host (a contiguous weight, as a layer holds it). */

/** examples/char-lm's CharLM with charLmWeights(p), checked to have the workload's parameter shapes. */
function charLmModel(p, id) {
  const m = new demo.CharLM({ vocabSize: p.vocab, dims: p.dims, layers: p.layers, heads: p.heads, mlpDims: p.mlpDims, context: p.context });
  const weights = charLmWeights(p);
  const shapes = mx.utils.treeFlatten(m.parameters()).map(([k, v]) => `${k} ${v.shape}`);
  const want = weights.map(([k, , shape]) => `${k} ${shape}`);
  if (shapes.join() !== want.join())
    throw new Error(`${id}: examples/char-lm's CharLM has parameters ${shapes.join(', ')}; the workload defines ${want.join(', ')}`);
  m.update(mx.utils.treeUnflatten(weights.map(([k, data, shape]) => [k, f32(data, shape)])));
  mx.eval(m);
  return m;
}

function transposed(data, rows, cols) {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/**
 * The nn workloads' runner: `model()` builds the model with the workload's weights, the step is the
 * examples' (nn.valueAndGrad, the optimizer's update: `optimizer()`, Adam by default), eager or
 * compiled. `run.reset` puts the first weights back (the optimizer's moments stay: the checked first
 * loss depends only on the weights).
 */
const nnRunner =
  (model, x, y, lr, compile, optimizerOf = (lr) => new mx.optimizers.Adam(lr)) =>
  () => {
    const m = model();
    const first = m.parameters();
    const optimizer = optimizerOf(lr);
    const step = demo.trainStep(m, optimizer, { compile });
    const run = (check) => {
      const loss = step(x, y);
      mx.eval(loss, m.parameters(), optimizer.state);
      if (check) return host(loss);
    };
    run.reset = () => m.update(first);
    return run;
  };

export function setup(w) {
  const p = w.params;
  switch (w.kind) {
    case 'matmul': {
      const make = () => {
        const [m, k, n] = [p.m ?? p.n, p.k ?? p.n, p.n];
        const a = f32(gen(m * k, 1), [m, k]);
        const b = f32(gen(k * n, 2), [k, n]);
        mx.eval(a, b);
        return (check) => {
          const c = mx.matmul(a, b);
          mx.eval(c);
          if (check) return host(c);
        };
      };
      return [{ library: 'mlx-ts', make }];
    }
    case 'matvec': {
      const make = () => {
        const x = f32(gen(p.n, 1), [1, p.n]);
        const w = f32(gen(p.n * p.n, 2), [p.n, p.n]);
        mx.eval(x, w);
        return (check) => {
          const y = mx.matmul(x, w);
          mx.eval(y);
          if (check) return host(y);
        };
      };
      return [{ library: 'mlx-ts', make }];
    }
    case 'qmatvec': {
      const make = () => {
        const x = f32(gen(p.n, 1), [1, p.n]);
        const [wq, s, b] = mx.quantize(f32(gen(p.n * p.n, 2), [p.n, p.n]), p.groupSize, p.bits);
        mx.eval(x, wq, s, b);
        return (check) => {
          const y = mx.quantizedMatmul(x, wq, s, b, true, p.groupSize, p.bits);
          mx.eval(y);
          if (check) return host(y);
        };
      };
      return [{ library: 'mlx-ts', make }];
    }
    case 'expmul': {
      const input = () => {
        const x = mx.array(gen(p.n, 3));
        mx.eval(x);
        return x;
      };
      const f = (x) => mx.add(mx.multiply(mx.exp(x), x), 1);
      // `dispose`: the previous output is freed at once, so its block is reused by the next call
      // (as the hand-fused C++ loop reuses its buffer) instead of waiting for V8 to collect it.
      const runner =
        (fn, dispose = false) =>
        () => {
          const x = input();
          let last = null;
          return (check) => {
            if (dispose) last?.dispose();
            const y = fn(x);
            mx.eval(y);
            last = y;
            if (check) return host(y);
          };
        };
      // `donate`: each call gives its input up (compile's `donate`) and the next call reads its
      // output, so the fused kernel writes over the buffer it reads, as MLX does with a donated
      // buffer. The chain's values overflow to inf after a few calls; the branch-free exp costs
      // the same there, and only the first call (on the workload's input) is checked.
      const donating = () => {
        const fn = mx.compile(f, { donate: true });
        let x = input();
        const run = (check) => {
          x = fn(x);
          mx.eval(x);
          if (check) return host(x);
        };
        // After the warm-up call the chain starts again from the workload's input, which the checked call reads.
        run.reset = () => {
          x.dispose();
          x = input();
        };
        return run;
      };
      return [
        { library: 'mlx-ts', make: runner(f) },
        compiled('mlx-ts compile', () => runner(mx.compile(f))()),
        compiled('mlx-ts compile, dispose', () => runner(mx.compile(f), true)()),
        compiled('mlx-ts compile, donate', donating),
      ];
    }
    case 'sum': {
      const make = () => {
        const x = mx.array(gen(p.n, 4, 1, 0.5));
        mx.eval(x);
        return (check) => {
          const s = mx.sum(x);
          mx.eval(s);
          if (check) return host(s);
        };
      };
      return [{ library: 'mlx-ts', make }];
    }
    case 'softmax': {
      const make = () => {
        const x = f32(gen(p.rows * p.cols, 5, 8), [p.rows, p.cols]);
        mx.eval(x);
        return (check) => {
          const y = mx.softmax(x, -1);
          mx.eval(y);
          if (check) return host(y);
        };
      };
      return [{ library: 'mlx-ts', make }];
    }
    case 'rmsnorm':
    case 'layernorm': {
      const make = () => {
        const x = f32(gen(p.rows * p.cols, 30, 4), [p.rows, p.cols]);
        const wt = mx.array(gen(p.cols, 31, 1, 1));
        const b = mx.array(gen(p.cols, 32));
        mx.eval(x, wt, b);
        return (check) => {
          const y = w.kind === 'rmsnorm' ? mx.fast.rmsNorm(x, wt, p.eps) : mx.fast.layerNorm(x, wt, b, p.eps);
          mx.eval(y);
          if (check) return host(y);
        };
      };
      return [{ library: 'mlx-ts', make }];
    }
    case 'rope': {
      const make = () => {
        const x = f32(gen(p.b * p.h * p.t * p.d, 33), [p.b, p.h, p.t, p.d]);
        mx.eval(x);
        return (check) => {
          const y = mx.fast.rope(x, p.d, { traditional: false, base: p.base, scale: 1, offset: p.offset });
          mx.eval(y);
          if (check) return host(y);
        };
      };
      return [{ library: 'mlx-ts', make }];
    }
    case 'mlp':
    case 'mlp-adam': {
      const adam = w.kind === 'mlp-adam';
      const runner = (wrap) => () => {
        const { x, y, params, step } = mlpSetup(p, { adam });
        const fn = wrap(step);
        let w;
        const run = (check) => {
          const [loss, next] = fn(w, x, y);
          mx.eval(loss, next);
          w = next;
          if (check) return host(loss);
        };
        run.reset = () => {
          w = params();
          mx.eval(w);
        };
        run.reset();
        return run;
      };
      return [{ library: 'mlx-ts', make: runner((s) => s) }, compiled('mlx-ts compile', () => runner((s) => mx.compile(s))())];
    }
    case 'conv2d': {
      const make = () => {
        const x = f32(gen(p.n * p.h * p.w * p.cin, 12), [p.n, p.h, p.w, p.cin]);
        const wt = f32(gen(p.cout * p.k * p.k * p.cin, 13, 0.1), [p.cout, p.k, p.k, p.cin]);
        const g = f32(gen(p.n * p.h * p.w * p.cout, 14), [p.n, p.h, p.w, p.cout]);
        mx.eval(x, wt, g);
        const f = (a, b) => mx.conv2d(a, b, 1, p.pad);
        if (!p.backward) {
          return (check) => {
            const y = f(x, wt);
            mx.eval(y);
            if (check) return host(y);
          };
        }
        return (check) => {
          const [y, [gx, gw]] = mx.vjp(f, [x, wt], [g]);
          mx.eval(y, gx, gw);
          if (check) return host(mx.concatenate([mx.reshape(gx, [-1]), mx.reshape(gw, [-1])]));
        };
      };
      return [{ library: 'mlx-ts', make }];
    }
    case 'attention': {
      const make = () => {
        const shape = [p.b, p.h, p.t, p.d];
        const n = p.b * p.h * p.t * p.d;
        const [q, k, v] = [20, 21, 22].map((seed) => f32(gen(n, seed, 0.5), shape));
        const g = f32(gen(n, 23), shape);
        mx.eval(q, k, v, g);
        const f = (a, b, c) => mx.fast.scaledDotProductAttention(a, b, c, { scale: 1 / Math.sqrt(p.d), mask: 'causal' });
        return (check) => {
          const [[o], grads] = mx.vjp(f, [q, k, v], [g]);
          mx.eval(o, ...grads);
          if (check) return host(mx.concatenate([o, ...grads].map((a) => mx.reshape(a, [-1]))));
        };
      };
      return [{ library: 'mlx-ts', make }];
    }
    case 'nn-mlp': {
      const x = f32(gen(p.batch * p.din, 6), [p.batch, p.din]);
      const y = f32(oneHot(p.batch, p.dout), [p.batch, p.dout]);
      mx.eval(x, y);
      const { nn } = mx;
      const model = () => {
        const m = new nn.Sequential(new nn.Linear(p.din, p.hidden), nn.relu, new nn.Linear(p.hidden, p.dout));
        m.update({
          layers: [
            { weight: f32(transposed(gen(p.din * p.hidden, 7, 0.1), p.din, p.hidden), [p.hidden, p.din]), bias: mx.zeros([p.hidden]) },
            {},
            { weight: f32(transposed(gen(p.hidden * p.dout, 8, 0.3), p.hidden, p.dout), [p.dout, p.hidden]), bias: mx.zeros([p.dout]) },
          ],
        });
        mx.eval(m);
        return m;
      };
      return [{ library: 'mlx-ts', make: nnRunner(model, x, y, p.lr, false) }, compiled('mlx-ts compile', nnRunner(model, x, y, p.lr, true))];
    }
    case 'cnn': {
      const x = f32(gen(p.batch * 64, 15), [p.batch, 8, 8, 1]);
      const y = mx.array(Int32Array.from({ length: p.batch }, (_, i) => (7 * i) % p.classes));
      mx.eval(x, y);
      const model = () => {
        const m = new demo.CNN();
        const sizes = `${m.conv1.weight.shape} ${m.conv2.weight.shape} ${m.head.weight.shape}`;
        const want = `${[p.c1, 3, 3, 1]} ${[p.c2, 3, 3, p.c1]} ${[p.classes, 16 * p.c2]}`;
        if (sizes !== want) throw new Error(`cnn-step: examples/digits' CNN has weights ${sizes}, the workload defines ${want}`);
        m.update({
          conv1: { weight: f32(gen(p.c1 * 9, 16, 0.6), [p.c1, 3, 3, 1]), bias: mx.zeros([p.c1]) },
          conv2: { weight: f32(gen(p.c2 * 9 * p.c1, 17, 0.2), [p.c2, 3, 3, p.c1]), bias: mx.zeros([p.c2]) },
          head: { weight: f32(gen(p.classes * 16 * p.c2, 18, 0.1), [p.classes, 16 * p.c2]), bias: mx.zeros([p.classes]) },
        });
        mx.eval(m);
        return m;
      };
      return [{ library: 'mlx-ts', make: nnRunner(model, x, y, p.lr, false) }, compiled('mlx-ts compile', nnRunner(model, x, y, p.lr, true))];
    }
    case 'charlm': {
      const [x, y] = charLmTokens(p).map((t) => mx.reshape(mx.array(t), [p.batch, p.context]));
      mx.eval(x, y);
      const model = () => charLmModel(p, 'charlm-step');
      const adamW = (lr) => new mx.optimizers.AdamW({ learningRate: lr, weightDecay: p.weightDecay });
      return [{ library: 'mlx-ts', make: nnRunner(model, x, y, p.lr, false, adamW) }, compiled('mlx-ts compile', nnRunner(model, x, y, p.lr, true, adamW))];
    }
    case 'fft': {
      const make = () => {
        const n = p.shape.reduce((a, b) => a * b, 1);
        const part = (seed) => mx.astype(f32(gen(n, seed), p.shape), mx.complex64);
        const z = mx.add(part(40), mx.multiply(part(41), { re: 0, im: 1 }));
        mx.eval(z);
        const f = p.shape.length === 1 ? mx.fft.fft : mx.fft.fft2;
        return (check) => {
          const y = f(z);
          mx.eval(y);
          if (check) return host(mx.abs(y));
        };
      };
      return [{ library: 'mlx-ts', make }];
    }
    case 'charlmgen': {
      const make = () => {
        const m = charLmModel(p, 'charlm-generate');
        const prompt = [...charLmTokens({ ...p, batch: 1 })[0].subarray(0, p.prompt)];
        const key = mx.random.key(0);
        return (check) => {
          demo.generate(m, prompt, { maxTokens: p.tokens, temperature: 0, key });
          if (check) return host(m.forward(mx.array([prompt], mx.int32)).index(0, -1));
        };
      };
      return [{ library: 'mlx-ts', make }];
    }
    case 'pergrad': {
      const inputs = () => {
        const w = mx.array(gen(p.features, 9));
        const X = f32(gen(p.batch * p.features, 10), [p.batch, p.features]);
        const Y = mx.array(gen(p.batch, 11));
        mx.eval(w, X, Y);
        return { w, X, Y };
      };
      const loss = (w, x, y) => mx.multiply(mx.square(mx.subtract(mx.sum(mx.multiply(x, w)), y)), 0.5);
      const vmapped = () => {
        const { w, X, Y } = inputs();
        const f = mx.vmap(mx.grad(loss), [null, 0, 0]);
        return (check) => {
          const g = f(w, X, Y);
          mx.eval(g);
          if (check) return host(g);
        };
      };
      const loop = () => {
        const { w, X, Y } = inputs();
        const g1 = mx.grad(loss);
        return (check) => {
          const gs = [];
          for (let i = 0; i < p.batch; i++) gs.push(g1(w, X.index(i), Y.index(i)));
          const g = mx.stack(gs);
          mx.eval(g);
          if (check) return host(g);
        };
      };
      return [
        { library: 'mlx-ts', make: vmapped },
        compiled('mlx-ts compile', () => {
          const { w, X, Y } = inputs();
          const f = mx.compile(mx.vmap(mx.grad(loss), [null, 0, 0]));
          return (check) => {
            const g = f(w, X, Y);
            mx.eval(g);
            if (check) return host(g);
          };
        }),
        { library: 'mlx-ts loop', make: loop },
      ];
    }
    case 'dispatch': {
      const lazy = () => (check) => {
        let x = mx.array(1.5);
        for (let i = 0; i < p.ops / 2; i++) {
          x = mx.multiply(x, 0.999);
          x = mx.add(x, 0.001);
        }
        mx.eval(x);
        if (check) return host(x);
      };
      const eager = () => (check) => {
        let x = mx.array(1.5);
        for (let i = 0; i < p.ops / 2; i++) {
          x = mx.multiply(x, 0.999);
          mx.eval(x);
          x = mx.add(x, 0.001);
          mx.eval(x);
        }
        if (check) return host(x);
      };
      return [
        { library: 'mlx-ts', make: lazy },
        { library: 'mlx-ts eval-each', make: eager },
      ];
    }
  }
  return null;
}
